"""The API's schema base: ninja's Schema that takes Django's lazy translations (choice labels, module-level
texts marked with gettext_lazy) as the strings they are in the request's language, and every Decimal
bounded (a budget of 1e30 is a 422, not a 500)."""

from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from ninja import Schema as NinjaSchema
from pydantic import field_validator
from pydantic_core import PydanticCustomError


def plain(value: Any) -> Any:
    """A lazy text as str, inside lists, tuples and dicts too; anything else as it is."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


class Schema(NinjaSchema):
    @field_validator("*", mode="before")
    @classmethod
    def _lazy_texts_as_str(cls, value):
        return plain(value)

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_numbers(cls, value):
        return _check_decimal(value)


# Every Decimal a client sends is bounded before a service or the database sees it (issue 16, part 5): the
# widest column is money, 16 digits with 2 places (procurement.models.MONEY), so nothing stored reaches 10¹⁴
# and a response never trips the bound; narrower columns answer a DataError the API turns into a 400.
MAX_DECIMAL = Decimal(10) ** 14
MAX_PLACES = 6


def _check_decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        if abs(value) >= MAX_DECIMAL:
            raise PydanticCustomError(
                "less_than", "Input should be less than {lt}", {"lt": f"1e{MAX_DECIMAL.adjusted()}"}
            )
        if value.as_tuple().exponent < -MAX_PLACES and value != value.quantize(
            Decimal(1).scaleb(-MAX_PLACES)
        ):
            raise PydanticCustomError(
                "decimal_max_places",
                "Decimal input should have no more than {n} decimal places",
                {"n": MAX_PLACES},
            )
    elif isinstance(value, list | tuple):
        for v in value:
            _check_decimal(v)
    elif isinstance(value, dict):
        for v in value.values():
            _check_decimal(v)
    return value
