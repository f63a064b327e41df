import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from vehicles import plates, vin

from .conftest import _VALUES, valid_vin

ALLOWED = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@pytest.mark.parametrize(
    "number",
    [
        "1M8GDM9AXKP042788",  # the standard's worked example (check character X)
        "11111111111111111",  # all ones: 89 mod 11 = 1
        "1m8gdm9axkp042788",  # lower case accepted and normalised
        "1M8 GDM9AX KP042788",  # spaces dropped
    ],
)
def test_known_valid_vins(number):
    assert vin.validate(number) == number.upper().replace(" ", "")
    assert vin.is_valid(number)


def test_computed_vins_of_chinese_makers_are_valid():
    for prefix in ("LSVAU2180", "LGWEF4A59", "LFV2A21K5", "LVGBE40K8", "LGXCE4CB1"):
        number = valid_vin(prefix)
        assert vin.validate(number) == number


@pytest.mark.parametrize(
    "number, reason",
    [
        ("1M8GDM9A1KP042788", "position 9"),  # wrong check character
        ("WP0ZZZ99ZTS392124", "position 9"),  # a European VIN with no check character: refused for China
        ("1M8GDM9AXKP04278", "17"),  # 16 characters
        ("1M8GDM9AXKP0427888", "17"),
        ("1M8GDM9AXKP04278O", "I, O, Q"),
        ("IM8GDM9AXKP042788", "I, O, Q"),
        ("1M8GDM9AXKP04278Q", "I, O, Q"),
        ("1M8GDM9AXKP04278*", "capital letters"),
        ("", "17"),
    ],
)
def test_invalid_vins_say_why(number, reason):
    """The reason in Chinese by default, in English (the words checked here) when the user switched."""
    with pytest.raises(vin.VinError) as exc:
        vin.validate(number)
    assert re.search(r"[\u4e00-\u9fff]", str(exc.value)), str(exc.value)
    with translation.override("en"), pytest.raises(vin.VinError) as exc:
        vin.validate(number)
    assert reason in str(exc.value)


@given(st.text(alphabet=ALLOWED, min_size=17, max_size=17))
def test_any_body_with_its_check_character_is_valid(body):
    number = vin.with_check_character(body)
    assert vin.is_valid(number) and number[:8] == body[:8] and number[9:] == body[9:]


@given(st.text(alphabet=ALLOWED, min_size=17, max_size=17), st.integers(0, 16), st.sampled_from(ALLOWED))
def test_a_changed_character_is_caught(body, position, char):
    number = vin.with_check_character(body)
    if position == 8 or _VALUES[char] == _VALUES[number[position]]:
        return  # position 9 is the check itself; letters sharing a value (A and J) cannot be told apart
    changed = number[:position] + char + number[position + 1 :]
    assert not vin.is_valid(changed)


@pytest.mark.parametrize(
    "text, expected, kind",
    [
        ("湘A12345", "湘A12345", "ordinary"),
        ("湘A·8K2U7", "湘A8K2U7", "ordinary"),
        ("湘E·3B566", "湘E3B566", "ordinary"),
        (" 湘h 12345 ", "湘H12345", "ordinary"),
        ("湘Ａ１２３４５", "湘A12345", "ordinary"),  # full-width
        ("京N·DF123", None, None),  # 7 characters starting with a letter: ordinary DF123
        ("湘A·D12345", "湘AD12345", "new_energy"),  # small pure-electric
        ("湘H·F02836", "湘HF02836", "new_energy"),  # small hybrid
        ("粤B·DF1234", "粤BDF1234", "new_energy"),
        ("沪A·AB1234", "沪AAB1234", "new_energy"),  # 2021 extension: A for pure electric
        ("湘A12345D", "湘A12345D", "new_energy"),  # large vehicle
        ("湘A·0023警", "湘A0023警", "ordinary"),
        ("粤Z·F023港", "粤ZF023港", "ordinary"),
        ("苏B·1234学", "苏B1234学", "ordinary"),
    ],
)
def test_valid_plates(text, expected, kind):
    plate = plates.validate(text)
    if expected is None:
        assert plate == "京NDF123"
    else:
        assert plate == expected and plates.kind(plate) == kind


@pytest.mark.parametrize(
    "text, reason",
    [
        ("XA12345", "province"),
        ("A12345", "province"),
        ("湘12345", "issuing office"),
        ("湘A1234", "not a plate"),
        ("湘A123456", "new-energy"),  # 6 digits: neither ordinary nor new-energy
        ("湘AZ12345", "new-energy"),  # Z is not a new-energy letter
        ("湘A12345A", "new-energy"),  # a large new-energy plate ends in D or F
        ("湘AI2345", "I or O"),
        ("湘AO2345", "I or O"),
        ("湘A12345警", "not a plate"),  # a use character follows 4 characters, not 5
        ("", "empty"),
    ],
)
def test_invalid_plates_say_why(text, reason):
    """The reason in Chinese by default, in English (the words checked here) when the user switched."""
    with pytest.raises(plates.PlateError) as exc:
        plates.validate(text)
    assert re.search(r"[\u4e00-\u9fff]", str(exc.value)), str(exc.value)
    with translation.override("en"), pytest.raises(plates.PlateError) as exc:
        plates.validate(text)
    assert reason in str(exc.value)
