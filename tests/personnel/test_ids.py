import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personnel import ids


def test_parse_normalises_full_width_spaces_and_lower_x():
    number = ids.make("430102", datetime.date(1990, 1, 31), 1, "F")
    assert number.endswith("7")
    raw = " " + number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + number[17] + " "
    assert ids.parse(raw)[0] == number


@pytest.mark.parametrize(
    "value,reason",
    [
        ("43010219860503121", "18"),
        ("430102198605031218", "check character"),
        ("43010219860230121X", "birth date"),
        ("43010219860503121A", "characters"),
    ],
)
@pytest.mark.usefixtures("english")
def test_parse_errors(value, reason):
    with pytest.raises(ids.IdNumberError, match=reason):
        ids.parse(value)


def test_mask_keeps_first_six_and_last_four():
    assert ids.mask("430102198605031219") == "430102********1219"


@given(
    st.dates(datetime.date(1940, 1, 1), datetime.date(2005, 12, 31)),
    st.integers(0, 499),
    st.sampled_from(["M", "F"]),
)
def test_made_numbers_round_trip(birth, serial, gender):
    number = ids.make("430121", birth, serial, gender)
    parsed, parsed_birth, parsed_gender = ids.parse(number)
    assert (parsed, parsed_birth, parsed_gender) == (number, birth, gender)
