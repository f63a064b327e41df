"""The size rules against SIZING.md: the worked example, every boundary of every range for both sexes,
and properties that hold for all measurements. Expected values are worked out by hand from SIZING.md."""

from decimal import Decimal as Dec
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assets import sizes
from assets.sizes import MADE_TO_MEASURE, MISSING, OK


def garments(g, h, c, w):
    return sizes.garment_sizes(g, Dec(str(h)), Dec(str(c)), Dec(str(w)))


def test_worked_example():
    top, bottom = garments("M", 173, 92, 76)
    assert (top.code, bottom.code) == ("175/92A", "175/76A")
    assert top.status == bottom.status == OK


def test_exact_decimal_difference_rounds_half_up():
    # 80.1 − 63.6 is exactly 16.5 → 17 (in binary floating point it is 16.499999…)
    assert sizes.round_half_up(Dec("80.1") - Dec("63.6")) == 17
    assert sizes.body_type("M", Dec("80.1"), Dec("63.6")) == "Y"
    assert sizes.body_type("M", 80.1, 63.6) == "Y"  # floats are read through their decimal text


# ---- body type: each range's both ends, the gaps between ranges, and the outside -----------------------
# (gender, rounded difference, expected type or None for a special body)
BODY_TYPE_CASES = [
    ("M", 1, None),
    ("M", 2, "C"),
    ("M", 6, "C"),
    ("M", 7, "B"),
    ("M", 11, "B"),
    ("M", 12, "A"),
    ("M", 16, "A"),
    ("M", 17, "Y"),
    ("M", 22, "Y"),
    ("M", 23, None),
    ("F", 3, None),
    ("F", 4, "C"),
    ("F", 8, "C"),
    ("F", 9, "B"),
    ("F", 13, "B"),
    ("F", 14, "A"),
    ("F", 18, "A"),
    ("F", 19, "Y"),
    ("F", 24, "Y"),
    ("F", 25, None),
]


@pytest.mark.parametrize("gender,d,expected", BODY_TYPE_CASES)
def test_body_type_boundaries(gender, d, expected):
    chest = Dec(90)
    assert sizes.body_type(gender, chest, chest - d) == expected
    # half a centimetre below rounds up to the same difference; 0.6 below does not
    assert sizes.body_type(gender, chest, chest - d + Dec("0.5")) == expected
    below = sizes.body_type(gender, chest, chest - d + Dec("0.6"))
    assert below == dict(((g, dd), t) for g, dd, t in BODY_TYPE_CASES).get((gender, d - 1), below)


@pytest.mark.parametrize("gender,d", [("M", 1), ("M", 23), ("F", 3), ("F", 25), ("M", -4), ("F", 40)])
def test_special_body_makes_all_garments_made_to_measure(gender, d):
    top, bottom = garments(gender, 165, 90, 90 - d)
    assert top.status == bottom.status == MADE_TO_MEASURE
    assert top.code is None and "特体" in top.reason


# ---- 号: 5 × round half up(height / 5); men 155–190, women 145–175 --------------------------------------
@pytest.mark.parametrize(
    "gender,height,hao",
    [
        ("M", "152.5", 155),
        ("M", "157.4", 155),
        ("M", "157.5", 160),
        ("M", "192.4", 190),
        ("F", "142.5", 145),
        ("F", "147.4", 145),
        ("F", "147.5", 150),
        ("F", "177.4", 175),
    ],
)
def test_height_code_in_range(gender, height, hao):
    assert sizes.height_code(Dec(height)) == hao
    chest = 96 if gender == "M" else 88
    top, _ = garments(gender, height, chest, chest - 14)
    assert top.status == OK and top.code.startswith(f"{hao}/")


@pytest.mark.parametrize(
    "gender,height,hao",
    [
        ("M", "152.4", 150),
        ("M", "192.5", 195),
        ("F", "142.4", 140),
        ("F", "177.5", 180),
    ],
)
def test_height_code_out_of_range_is_made_to_measure(gender, height, hao):
    assert sizes.height_code(Dec(height)) == hao
    chest = 96 if gender == "M" else 88
    top, bottom = garments(gender, height, chest, chest - 14)
    assert top.status == bottom.status == MADE_TO_MEASURE
    assert f"号 {hao}" in top.reason


# ---- tops: 型 = 4 × ⌊(chest + 2) / 4⌋; men 72–116, women 68–108 -----------------------------------------
@pytest.mark.parametrize(
    "gender,chest,fit,ok",
    [
        ("M", "69.9", 68, False),
        ("M", "70.0", 72, True),
        ("M", "73.9", 72, True),
        ("M", "74.0", 76, True),
        ("M", "117.9", 116, True),
        ("M", "118.0", 120, False),
        ("F", "65.9", 64, False),
        ("F", "66.0", 68, True),
        ("F", "109.9", 108, True),
        ("F", "110.0", 112, False),
    ],
)
def test_top_fit_boundaries(gender, chest, fit, ok):
    assert sizes.top_fit(Dec(chest)) == fit
    waist = Dec(chest) - (12 if gender == "M" else 14)  # type A, bottoms inside their range
    height = 170 if gender == "M" else 160
    top, bottom = garments(gender, height, chest, waist)
    if ok:
        assert top.code == f"{height}/{fit}A"
    else:
        assert top.status == MADE_TO_MEASURE and f"型 {fit}" in top.reason
    assert bottom.status == OK  # a top outside its range leaves the bottoms' code


# ---- bottoms: 型 = 2 × ⌊(waist + 1) / 2⌋; men 56–110, women 50–104 --------------------------------------
@pytest.mark.parametrize(
    "gender,waist,fit,ok",
    [
        ("M", "54.9", 54, False),
        ("M", "55.0", 56, True),
        ("M", "56.9", 56, True),
        ("M", "57.0", 58, True),
        ("M", "110.9", 110, True),
        ("M", "111.0", 112, False),
        ("F", "48.9", 48, False),
        ("F", "49.0", 50, True),
        ("F", "104.9", 104, True),
        ("F", "105.0", 106, False),
    ],
)
def test_bottom_fit_boundaries(gender, waist, fit, ok):
    assert sizes.bottom_fit(Dec(waist)) == fit
    chest = Dec(waist) + (12 if gender == "M" else 14)  # type A
    height = 170 if gender == "M" else 160
    top, bottom = garments(gender, height, chest, waist)
    if ok:
        assert bottom.code == f"{height}/{fit}A"
    else:
        assert bottom.status == MADE_TO_MEASURE and f"型 {fit}" in bottom.reason
    top_lo, top_hi = (72, 116) if gender == "M" else (68, 108)
    assert top.status == (OK if top_lo <= 4 * int((chest + 2) // 4) <= top_hi else MADE_TO_MEASURE)


# ---- shoes: 5 × ⌈foot / 5⌉, range 220–300; EU → (EU + 10) × 5 ------------------------------------------
@pytest.mark.parametrize(
    "foot,code,status",
    [
        ("215.0", None, MADE_TO_MEASURE),
        ("215.1", "220", OK),
        ("220", "220", OK),
        ("250", "250", OK),
        ("250.1", "255", OK),
        ("252", "255", OK),
        ("300", "300", OK),
        ("300.1", None, MADE_TO_MEASURE),
    ],
)
def test_shoe_boundaries(foot, code, status):
    size = sizes.shoe_size(Dec(foot))
    assert (size.code, size.status) == (code, status)


@pytest.mark.parametrize(
    "value,mm",
    [("34", 220), ("40", 250), ("42.5", "262.5"), ("48", 290), ("200", 200), ("320", 320), ("252", 252)],
)
def test_shoe_input_european_or_mm(value, mm):
    assert sizes.foot_mm_from_input(Dec(value)) == Dec(str(mm))


@pytest.mark.parametrize("value", ["33.5", "48.5", "49", "199", "320.5", "0", "40.3"])
def test_shoe_input_rejected(value):
    with pytest.raises(sizes.FootSizeError) as caught:
        sizes.foot_mm_from_input(Dec(value))
    assert caught.value.code == ("halves" if value in ("40.3",) else "range")
    assert "欧码" in str(caught.value)


def test_reasons_follow_the_language_even_after_a_cached_size():
    """The shoe and cap numbers are cached; the words are not, so a switch of language is honoured."""
    from django.utils import translation

    assert sizes.shoe_size(Dec(310)).reason == "鞋号 310 超出 220–300"
    assert sizes.cap_size(Dec(65)).reason == "帽号 65 超出 54–62"
    with translation.override("en"):
        assert sizes.shoe_size(Dec(310)).reason == "shoe size 310 outside 220–300"
        assert sizes.cap_size(Dec(65)).reason == "cap size 65 outside 54–62"
        assert sizes.cap_size(None).reason == "missing measurement: head"
        assert sizes.garment_sizes("M", None, Dec(92), None)[0].reason == "missing measurement: height, waist"
        with pytest.raises(sizes.FootSizeError, match="European sizes go in halves"):
            sizes.foot_mm_from_input(Dec("40.3"))
    assert sizes.cap_size(None).reason == "缺少测量：头围"


def test_shoes_from_european_size_when_no_foot_length():
    officer = SimpleNamespace(
        gender="F",
        height_cm=None,
        chest_cm=None,
        waist_cm=None,
        head_cm=None,
        foot_mm=None,
        shoe_eu=Dec("42.5"),
    )
    assert sizes.officer_sizes(officer)["shoe_mm"].code == "265"
    officer.foot_mm = Dec(251)  # a measured length wins
    assert sizes.officer_sizes(officer)["shoe_mm"].code == "255"


# ---- caps: round half up(head), range 54–62 -----------------------------------------------------------
@pytest.mark.parametrize(
    "head,code,status",
    [
        ("53.4", None, MADE_TO_MEASURE),
        ("53.5", "54", OK),
        ("57.4", "57", OK),
        ("57.5", "58", OK),
        ("62.4", "62", OK),
        ("62.5", None, MADE_TO_MEASURE),
    ],
)
def test_cap_boundaries(head, code, status):
    size = sizes.cap_size(Dec(head))
    assert (size.code, size.status) == (code, status)


# ---- missing measurements ------------------------------------------------------------------------------
def test_missing_measurements_say_what_to_measure():
    top, bottom = sizes.garment_sizes("M", Dec(173), Dec(92), None)
    assert top.status == bottom.status == MISSING
    assert top.reason == "缺少测量：腰围"
    assert sizes.garment_sizes("F", None, Dec(92), None)[0].reason == "缺少测量：身高、腰围"
    all_sizes = sizes.sizes_for("F")
    assert all_sizes["shoe_mm"].status == MISSING and all_sizes["hat_cm"].status == MISSING
    assert all_sizes["none"].code == "-" and all_sizes["badge_number"].code == "-"


def test_made_to_measure_is_known_before_everything_is_measured():
    top, bottom = sizes.garment_sizes("M", None, Dec(100), Dec(70))  # special body, no height
    assert top.status == bottom.status == MADE_TO_MEASURE
    top, bottom = sizes.garment_sizes("M", Dec(200), None, None)  # 号 200 > 190
    assert top.status == MADE_TO_MEASURE
    top, bottom = sizes.garment_sizes("M", None, Dec(130), None)  # top 型 132 > 116, waist unknown
    assert top.status == MADE_TO_MEASURE and bottom.status == MISSING


# ---- properties -----------------------------------------------------------------------------------------
def tenths(lo, hi):
    return st.integers(lo * 10, hi * 10).map(lambda n: Dec(n) / 10)


RANGES = {"M": ((155, 190), (72, 116), (56, 110)), "F": ((145, 175), (68, 108), (50, 104))}
TYPES = {
    "M": {"Y": (17, 22), "A": (12, 16), "B": (7, 11), "C": (2, 6)},
    "F": {"Y": (19, 24), "A": (14, 18), "B": (9, 13), "C": (4, 8)},
}


@given(st.sampled_from("MF"), tenths(140, 210), tenths(60, 140), tenths(50, 140))
def test_code_in_standard_range_or_made_to_measure(gender, height, chest, waist):
    (hlo, hhi), (tlo, thi), (blo, bhi) = RANGES[gender]
    for size, (lo, hi) in zip(
        sizes.garment_sizes(gender, height, chest, waist), [(tlo, thi), (blo, bhi)], strict=True
    ):
        assert size.status in (OK, MADE_TO_MEASURE)
        if size.status == OK:
            hao, rest = size.code.split("/")
            fit, btype = int(rest[:-1]), rest[-1]
            assert hlo <= int(hao) <= hhi and int(hao) % 5 == 0
            assert lo <= fit <= hi
            # integer arithmetic in tenths, independent of the code under test
            d10 = int(chest * 10) - int(waist * 10)
            d = (d10 + 5) // 10
            assert TYPES[gender][btype][0] <= d <= TYPES[gender][btype][1]


@given(tenths(60, 140), tenths(50, 140))
def test_difference_is_exact_decimal(chest, waist):
    d10 = int(chest * 10) - int(waist * 10)  # exact, in tenths
    assert sizes.round_half_up(chest - waist) == (d10 + 5) // 10


@given(st.integers(17, 35))
def test_top_bin_boundaries(k):
    # chest = 4k − 2 is the first chest of 型 4k; a tenth less belongs to 型 4k − 4
    assert sizes.top_fit(Dec(4 * k - 2)) == 4 * k
    assert sizes.top_fit(Dec(4 * k - 2) - Dec("0.1")) == 4 * k - 4


@given(st.integers(25, 60))
def test_bottom_bin_boundaries(k):
    assert sizes.bottom_fit(Dec(2 * k - 1)) == 2 * k
    assert sizes.bottom_fit(Dec(2 * k - 1) - Dec("0.1")) == 2 * k - 2


@given(st.integers(29, 42))
def test_height_bin_boundaries(k):
    # 5k − 2.5 rounds up to 5k; 5k − 2.6 to 5k − 5
    assert sizes.height_code(Dec(5 * k) - Dec("2.5")) == 5 * k
    assert sizes.height_code(Dec(5 * k) - Dec("2.6")) == 5 * k - 5


@given(st.integers(44, 59))
def test_shoe_bin_boundaries(k):
    assert sizes.shoe_size(Dec(5 * k)).code == str(5 * k)
    assert sizes.shoe_size(Dec(5 * k) + Dec("0.1")).code == str(5 * k + 5)


@given(st.integers(2000, 3200))
def test_shoe_always_in_range_or_made_to_measure(foot10):
    size = sizes.shoe_size(Dec(foot10) / 10)
    assert (size.status == OK and 220 <= int(size.code) <= 300 and int(size.code) % 5 == 0) or (
        size.status == MADE_TO_MEASURE
    )


@given(st.integers(480, 660))
def test_cap_always_in_range_or_made_to_measure(head10):
    size = sizes.cap_size(Dec(head10) / 10)
    expected = (head10 + 5) // 10
    if 54 <= expected <= 62:
        assert size.code == str(expected)
    else:
        assert size.status == MADE_TO_MEASURE


@given(st.integers(68, 96))
def test_eu_sizes_in_halves_convert(half):
    eu = Dec(half) / 2
    assert sizes.foot_mm_from_input(eu) == (eu + 10) * 5
