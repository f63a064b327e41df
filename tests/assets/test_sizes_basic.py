from decimal import Decimal

from assets import sizes


def test_worked_example():
    top, bottom = sizes.garment_sizes("M", 173, 92, 76)
    assert (top.code, bottom.code) == ("175/92A", "175/76A")


def test_exact_decimal_difference_rounds_half_up():
    assert sizes.round_half_up(Decimal("80.1") - Decimal("63.6")) == 17
    assert sizes.body_type("M", Decimal("80.1"), Decimal("63.6")) == "Y"


def test_shoes_and_caps():
    assert sizes.shoe_size(252).code == "255"
    assert sizes.foot_mm_from_input(40) == 250
    assert sizes.shoe_size(sizes.foot_mm_from_input("42.5")).code == "265"
    assert sizes.cap_size(Decimal("57.5")).code == "58"
