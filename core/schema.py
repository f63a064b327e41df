"""The API's schema base: ninja's Schema that takes Django's lazy translations (choice labels, module-level
texts marked with gettext_lazy) as the strings they are in the request's language."""

from typing import Any

from django.utils.functional import Promise
from ninja import Schema as NinjaSchema
from pydantic import field_validator


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
