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

`validate` checks the format of any plate. The corps' own vehicles are held to more (`validate_for_corps`,
used by every door through the register's services and the import): a police plate (警) is refused, and
`warnings` says when the office letter does not belong to the owning city, or the plate is from outside
Hunan. The letters of Hunan's offices are data, vehicles/data/plate_offices.json, keyed by the cities'
GB/T 2260 codes and read once.
"""

import functools
import json
import re
import unicodedata
from pathlib import Path

from django.utils.translation import gettext

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SERIAL = "[A-HJ-NP-Z0-9]"
ORDINARY = re.compile(rf"^[{PROVINCES}][A-Z](?:{_SERIAL}{{5}}|{_SERIAL}{{4}}[学警挂领港澳])$")
NEW_ENERGY_SMALL = re.compile(rf"^[{PROVINCES}][A-Z][DABCEFGHJK]{_SERIAL}\d{{4}}$")
NEW_ENERGY_LARGE = re.compile(rf"^[{PROVINCES}][A-Z]\d{{5}}[DF]$")


OFFICES_FILE = Path(__file__).resolve().parent / "data" / "plate_offices.json"
POLICE = "警"


class PlateError(ValueError):
    def __init__(self, message: str, code: str = "invalid_plate"):
        super().__init__(message)
        self.code = code


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


# ---- the corps' own vehicles ------------------------------------------------------------------------------


@functools.cache
def offices() -> dict:
    """The plate table, read once: {"province": "湘", "letters": {city code: (letters)}, "names": {city code:
    name}, "cities_of": {letter: [city codes]}}."""
    raw = json.loads(OFFICES_FILE.read_text(encoding="utf-8"))
    letters = {code: tuple(o["letters"]) for code, o in raw["offices"].items()}
    cities_of: dict[str, list[str]] = {}
    for code, own in sorted(letters.items()):
        for letter in own:
            cities_of.setdefault(letter, []).append(code)
    return {
        "province": raw["province"],
        "letters": letters,
        "names": {code: o["name"] for code, o in raw["offices"].items()},
        "cities_of": cities_of,
    }


def is_police(plate: str) -> bool:
    return plate.endswith(POLICE)


def validate_for_corps(value: str) -> str:
    """A plate the corps may put on its own vehicles: a valid plate (validate), and not a police plate — the
    corps is not the police (its vehicles carry the road-administration livery, 公路法第七十三条). PlateError
    names the plate."""
    plate = validate(value)
    if is_police(plate):
        raise PlateError(
            gettext("{plate} 是公安警用号牌（“警”字号牌），本队伍车辆不得使用").format(plate=display(plate)),
            code="police_plate",
        )
    return plate


def _city_names(codes) -> str:
    names = offices()["names"]
    return gettext("、").join(names.get(c, c) for c in codes if c != "430000") or names.get("430000", "")


def warnings(plate: str, city_code: str | None) -> list[dict]:
    """What is odd about a registered plate for a vehicle of this city (GB/T 2260 code), but not refused:
    [{code, field, message}] in the active language, empty when all is well (or there is no plate).

    - plate_police: a police plate already on the register (refused for new plates; re-register it);
    - plate_outside_hunan: the province character is not 湘;
    - plate_office_mismatch: the office letter is not one of the owning city's (湘A is the province's own
      bureau's and Changsha's)."""
    if not plate:
        return []
    table = offices()
    out = []
    shown = display(plate)
    if is_police(plate):
        out.append(
            {
                "code": "plate_police",
                "field": "plate",
                "message": gettext("{plate} 是公安警用号牌，本队伍车辆不得使用，请重新上牌").format(
                    plate=shown
                ),
            }
        )
    if plate[0] != table["province"]:
        out.append(
            {
                "code": "plate_outside_hunan",
                "field": "plate",
                "message": gettext("{plate} 不是湖南号牌（“{province}”字头），请核对号牌").format(
                    plate=shown, province=plate[0]
                ),
            }
        )
        return out
    own = table["letters"].get(city_code or "")
    letter = plate[1]
    if own is not None and letter not in own:
        city = table["names"].get(city_code, city_code)
        holders = table["cities_of"].get(letter)
        if holders:
            message = gettext(
                "{plate} 的发牌机关代号“{prefix}”属于{office}，与车辆所属的{city}（{letters}）不符"
            ).format(
                plate=shown,
                prefix=plate[:2],
                office=_city_names(holders),
                city=city,
                letters="、".join(plate[0] + x for x in own),
            )
        else:
            message = gettext(
                "{plate} 的发牌机关代号“{prefix}”不属于湖南任何市州，与车辆所属的{city}（{letters}）不符"
            ).format(plate=shown, prefix=plate[:2], city=city, letters="、".join(plate[0] + x for x in own))
        out.append({"code": "plate_office_mismatch", "field": "plate", "message": message})
    return out
