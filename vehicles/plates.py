"""Chinese number plates (号牌, GA 36-2018): the format check and its normalisation.

A plate is a province abbreviation (湘 for Hunan; any province is accepted, a vehicle may be bought
elsewhere), the letter of the issuing office, then
- an ordinary plate: 5 characters from the digits and capitals without I and O (湘A·12345), or 4 of
  them and a use character (学 driving school, 警 police, 挂 trailer, 领 consulate, 港/澳 cross-border:
  湘A·0023警, 粤Z·F023港);
- a new-energy plate (green, 8 characters): small vehicles put a letter first, D/A/B/C/E for pure
  electric and F/G/H/J/K for the others, then a digit or letter and 4 digits (湘A·D12345); large
  vehicles put 5 digits and then D or F (湘A·12345D).
The dot after the office letter, spaces and full-width characters are accepted on input and dropped.
"""

import re
import unicodedata

from django.utils.translation import gettext

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SERIAL = "[A-HJ-NP-Z0-9]"
ORDINARY = re.compile(rf"^[{PROVINCES}][A-Z](?:{_SERIAL}{{5}}|{_SERIAL}{{4}}[学警挂领港澳])$")
NEW_ENERGY_SMALL = re.compile(rf"^[{PROVINCES}][A-Z][DABCEFGHJK]{_SERIAL}\d{{4}}$")
NEW_ENERGY_LARGE = re.compile(rf"^[{PROVINCES}][A-Z]\d{{5}}[DF]$")


class PlateError(ValueError):
    pass


def compact(value: str) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s·•.\-]", "", text).upper()


def kind(plate: str) -> str:
    """'new_energy' or 'ordinary' for a valid (compact) plate."""
    if NEW_ENERGY_SMALL.match(plate) or NEW_ENERGY_LARGE.match(plate):
        return "new_energy"
    return "ordinary"


def validate(value: str) -> str:
    """The plate normalised (湘AD12345), or PlateError with the reason."""
    plate = compact(value)
    if not plate:
        raise PlateError(gettext("号牌号码为空"))
    if plate[0] not in PROVINCES:
        raise PlateError(gettext("首字应为省份简称（现为 {value}）").format(value=plate[0]))
    if len(plate) < 2 or not ("A" <= plate[1] <= "Z"):
        raise PlateError(gettext("第二位应为发牌机关字母"))
    if len(plate) == 8 and plate[-1] in "学警挂领港澳":
        raise PlateError(gettext("号牌格式错误：本单位车辆不使用“学”“警”等专用号牌（如 湘A0023警）"))
    if len(plate) == 8:
        if NEW_ENERGY_SMALL.match(plate) or NEW_ENERGY_LARGE.match(plate):
            return plate
        raise PlateError(gettext("新能源号牌格式错误：8 位号牌应为 D/F 型，如 湘AD12345 或 湘A12345D"))
    if ORDINARY.match(plate):
        return plate
    if any(c in "IO" for c in plate[2:]):
        raise PlateError(gettext("号牌序号不使用字母 I、O"))
    raise PlateError(gettext("号牌格式错误：{n} 个字符，应如 湘A12345 或 湘AD12345").format(n=len(plate)))


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except PlateError:
        return False
    return True


def display(plate: str) -> str:
    """湘A·12345, as printed."""
    return f"{plate[:2]}·{plate[2:]}" if len(plate) > 2 else plate
