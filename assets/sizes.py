"""Measurements → size codes, exactly as assets/data/SIZING.md (GB/T 1335.1/.2-2008, GB/T 43293-2022).

Pure functions in exact decimal arithmetic; no database. "round half up" is ⌊x + 0.5⌋.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache

from django.utils.translation import gettext, pgettext, pgettext_lazy

OK, MISSING, MADE_TO_MEASURE = "ok", "missing", "mtm"

# body type by rounded chest − waist difference, per gender ('M', 'F')
BODY_TYPES = {
    "M": (("Y", 17, 22), ("A", 12, 16), ("B", 7, 11), ("C", 2, 6)),
    "F": (("Y", 19, 24), ("A", 14, 18), ("B", 9, 13), ("C", 4, 8)),
}
HEIGHT_RANGE = {"M": (155, 190), "F": (145, 175)}
TOP_RANGE = {"M": (72, 116), "F": (68, 108)}
BOTTOM_RANGE = {"M": (56, 110), "F": (50, 104)}
SHOE_RANGE = (220, 300)
CAP_RANGE = (54, 62)
ONE_SIZE = "-"


@dataclass(frozen=True)
class Size:
    """A size code, or why there is none: status ok / missing (a measurement) / mtm (made to measure)."""

    code: str | None
    status: str = OK
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.status == OK


def D(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def floor(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_FLOOR))


def ceil(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_CEILING))


@lru_cache(maxsize=8192)
def round_half_up(x) -> int:
    return floor(D(x) + Decimal("0.5"))


def body_type(gender: str, chest, waist) -> str | None:
    """Y/A/B/C from round half up(chest − waist); None for a special body (特体)."""
    d = round_half_up(D(chest) - D(waist))
    for name, lo, hi in BODY_TYPES[gender]:
        if lo <= d <= hi:
            return name
    return None


@lru_cache(maxsize=4096)  # few distinct values on a roll; demand sizes thousands of officers
def height_code(height) -> int:
    return 5 * round_half_up(D(height) / 5)


@lru_cache(maxsize=4096)  # few distinct values on a roll; demand sizes thousands of officers
def top_fit(chest) -> int:
    return 4 * floor((D(chest) + 2) / 4)


@lru_cache(maxsize=4096)  # few distinct values on a roll; demand sizes thousands of officers
def bottom_fit(waist) -> int:
    return 2 * floor((D(waist) + 1) / 2)


HEIGHT = pgettext_lazy("measurement", "身高")
CHEST = pgettext_lazy("measurement", "胸围")
WAIST = pgettext_lazy("measurement", "腰围")
FOOT = pgettext_lazy("measurement", "脚长或鞋码")
HEAD = pgettext_lazy("measurement", "头围")


def _missing(*pairs) -> str:
    """What to measure, in the active language: 缺少测量：身高、腰围."""
    names = [str(label) for value, label in pairs if value is None]
    if not names:
        return ""
    return gettext("缺少测量：{names}").format(names=pgettext("list separator", "、").join(names))


class FootSizeError(ValueError):
    """A shoe cell that is neither a European size nor a foot length; .code says which rule it broke."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def garment_sizes(gender: str, height, chest, waist) -> tuple[Size, Size]:
    """(top, bottom) size codes like 175/92A and 175/76A, or why not.

    Made to measure wins over missing wherever it can already be told: a special body (chest and
    waist known) or a 号 outside the range makes both kinds made to measure even if another
    measurement is missing, and a 型 outside its range makes that kind made to measure."""
    btype = body_type(gender, chest, waist) if chest is not None and waist is not None else None
    if btype is None and chest is not None and waist is not None:
        reason = gettext("特体：胸围 − 腰围 = {round_half_up}").format(
            round_half_up=round_half_up(D(chest) - D(waist))
        )
        return Size(None, MADE_TO_MEASURE, reason), Size(None, MADE_TO_MEASURE, reason)
    hao = height_code(height) if height is not None else None
    if hao is not None:
        lo, hi = HEIGHT_RANGE[gender]
        if not lo <= hao <= hi:
            reason = gettext("号 {hao} 超出 {lo}–{hi}").format(hao=hao, lo=lo, hi=hi)
            return Size(None, MADE_TO_MEASURE, reason), Size(None, MADE_TO_MEASURE, reason)
    missing = _missing((height, HEIGHT), (chest, CHEST), (waist, WAIST))
    results = []
    for value, fit_fn, (flo, fhi), kind in (
        (chest, top_fit, TOP_RANGE[gender], "top"),
        (waist, bottom_fit, BOTTOM_RANGE[gender], "bottom"),
    ):
        fit = fit_fn(value) if value is not None else None
        if fit is not None and not flo <= fit <= fhi:
            results.append(
                Size(
                    None,
                    MADE_TO_MEASURE,
                    (
                        gettext("上衣型 {fit} 超出 {flo}–{fhi}")
                        if kind == "top"
                        else gettext("下装型 {fit} 超出 {flo}–{fhi}")
                    ).format(fit=fit, flo=flo, fhi=fhi),
                )
            )
        elif missing:
            results.append(Size(None, MISSING, missing))
        else:
            results.append(Size(f"{hao}/{fit}{btype}"))
    return results[0], results[1]


def foot_mm_from_input(value) -> Decimal:
    """A roll's shoe cell: 34–48 is a European size (halves allowed) → (EU + 10) × 5 mm; 200–320 is mm.
    Raises ValueError otherwise."""
    v = D(value)
    if 34 <= v <= 48:
        if (v * 2) != (v * 2).to_integral_value():
            raise FootSizeError("halves", gettext("欧码以半码为单位"))
        return (v + 10) * 5
    if 200 <= v <= 320:
        return v
    raise FootSizeError("range", gettext("应为脚长200–320毫米或欧码34–48"))


# The numbers are cached; the reason is worded on each call, in the language active then.
@lru_cache(maxsize=2048)
def _shoe_number(foot_mm) -> int:
    return 5 * ceil(D(foot_mm) / 5)


def shoe_size(foot_mm) -> Size:
    if foot_mm is None:
        return Size(None, MISSING, _missing((None, FOOT)))
    size = _shoe_number(foot_mm)
    if not SHOE_RANGE[0] <= size <= SHOE_RANGE[1]:
        lo, hi = SHOE_RANGE
        return Size(
            None, MADE_TO_MEASURE, gettext("鞋号 {size} 超出 {lo}–{hi}").format(size=size, lo=lo, hi=hi)
        )
    return Size(str(size))


def cap_size(head_cm) -> Size:
    if head_cm is None:
        return Size(None, MISSING, _missing((None, HEAD)))
    size = round_half_up(head_cm)
    if not CAP_RANGE[0] <= size <= CAP_RANGE[1]:
        lo, hi = CAP_RANGE
        return Size(
            None, MADE_TO_MEASURE, gettext("帽号 {size} 超出 {lo}–{hi}").format(size=size, lo=lo, hi=hi)
        )
    return Size(str(size))


def sizes_for(gender: str, height=None, chest=None, waist=None, head=None, foot_mm=None) -> dict[str, Size]:
    """Every size system's size for one body: keys top, bottom, shoe_mm, hat_cm, none, badge_number."""
    top, bottom = garment_sizes(gender, height, chest, waist)
    return {
        "top": top,
        "bottom": bottom,
        "shoe_mm": shoe_size(foot_mm),
        "hat_cm": cap_size(head),
        "none": Size(ONE_SIZE),
        "badge_number": Size(ONE_SIZE),
    }


def foot_length(foot_mm=None, shoe_eu=None):
    """The foot length to size shoes from: the measured length, else the European size converted."""
    if foot_mm is not None:
        return foot_mm
    if shoe_eu is not None:
        return (D(shoe_eu) + 10) * 5
    return None


def officer_sizes(officer) -> dict[str, Size]:
    """The size per size system for an officer (personnel.Officer or anything with the same fields).
    Shoes go by the foot length, or by the European size when only that was entered."""
    return sizes_for(
        officer.gender,
        officer.height_cm,
        officer.chest_cm,
        officer.waist_cm,
        officer.head_cm,
        foot_length(officer.foot_mm, getattr(officer, "shoe_eu", None)),
    )
