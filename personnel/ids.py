"""Resident ID numbers (GB 11643): normalising, checking and masking."""

import datetime
import unicodedata

from django.utils.translation import gettext
from stdnum.cn import ric

from .choices import Gender


class IdNumberError(ValueError):
    """Why an ID number is not valid: the message in the active language, the code for machines."""

    def __init__(self, message: str, code: str = "bad_id_number"):
        super().__init__(message)
        self.code = code


def normalise(text: str) -> str:
    """Full-width to half-width, spaces out, lower-case x to X."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(text.split()).upper()


def parse(value: str) -> tuple[str, datetime.date, str]:
    """Check an ID number and return (number, birth date, gender). Raises IdNumberError with the reason."""
    number = normalise(value)
    if len(number) != 18:
        raise IdNumberError(
            gettext("应为18位（现为 {n_number} 位）").format(n_number=len(number)), "id_length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(gettext("含非法字符"), "id_characters")
    if ric.calc_check_digit(number) != number[17]:
        raise IdNumberError(gettext("校验码错误"), "id_check_character")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(gettext("出生日期无效"), "id_birth_date") from None
    if birth.year < 1900 or birth > datetime.date.today():
        raise IdNumberError(gettext("出生日期无效"), "id_birth_date")
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return number, birth, gender


def mask(number: str) -> str:
    """First 6 and last 4 characters shown: 430102********123X."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(region: str, birth: datetime.date, serial: int, gender: str) -> str:
    """Build a valid ID number (demo data and tests). serial 0..99, gender sets the 17th digit's parity."""
    seq = f"{serial % 100:02d}"
    digit = (serial // 100) % 5 * 2 + (1 if gender == Gender.MALE else 0)
    body = f"{region}{birth:%Y%m%d}{seq}{digit}"
    return body + ric.calc_check_digit(body + "0")
