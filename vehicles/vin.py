"""Vehicle identification numbers (VIN, 车辆识别代号) under GB 16735 / ISO 3779.

python-stdnum (2.2, the version in our venv) has no VIN module, so the check is written here from the
standard: 17 characters from the digits and the capitals except I, O and Q; position 9 is a check
character, the weighted sum of the transliterated characters modulo 11 (10 written as X). GB 16735
makes the check character compulsory for every vehicle made for China (for North America it is also
compulsory; elsewhere ISO 3779 leaves it optional, which is why we check it: the register is Chinese).
"""

import re
import unicodedata

from django.utils.translation import gettext

# ISO 3779 / GB 16735 transliteration of letters to numbers, and the position weights.
TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    "A": 1,
    "B": 2,
    "C": 3,
    "D": 4,
    "E": 5,
    "F": 6,
    "G": 7,
    "H": 8,
    "J": 1,
    "K": 2,
    "L": 3,
    "M": 4,
    "N": 5,
    "P": 7,
    "R": 9,
    "S": 2,
    "T": 3,
    "U": 4,
    "V": 5,
    "W": 6,
    "X": 7,
    "Y": 8,
    "Z": 9,
}
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_ALLOWED = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


class VinError(ValueError):
    pass


def compact(value: str) -> str:
    """Full-width to half-width, spaces and dashes out, upper case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-·]", "", text).upper()


def check_character(vin: str) -> str:
    """The check character of a 17-character VIN (the character at position 9 is ignored)."""
    total = sum(TRANSLITERATION[c] * w for c, w in zip(vin, WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate(value: str) -> str:
    """The VIN normalised, or VinError with the reason (Chinese first)."""
    vin = compact(value)
    if len(vin) != 17:
        raise VinError(gettext("车辆识别代号应为17位（现为 {n_vin} 位）").format(n_vin=len(vin)))
    bad = sorted({c for c in vin if c in "IOQ"})
    if bad:
        raise VinError(gettext("车辆识别代号不得含字母I、O、Q（含 {bad}）").format(bad=", ".join(bad)))
    if not _ALLOWED.match(vin):
        raise VinError(gettext("车辆识别代号只能含数字和大写字母"))
    expected = check_character(vin)
    if vin[8] != expected:
        raise VinError(
            gettext("第9位校验位错误（为 {value}，应为 {expected}）").format(value=vin[8], expected=expected)
        )
    return vin


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except VinError:
        return False
    return True


def with_check_character(body: str) -> str:
    """Put the right check character at position 9 of a 17-character VIN (demo data and tests)."""
    vin = compact(body)
    if len(vin) != 17:
        raise VinError("need 17 characters")
    return vin[:8] + check_character(vin) + vin[9:]
