"""Money as the procurement pages print it: yuan with thousands separators and always 2 places."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """1234567.5 → 1,234,567.50; '—' when empty."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def pct1(value) -> str:
    """A percentage already in percent (Decimal 123.4) → 123.4%; '—' when unknown."""
    return "—" if value is None else f"{value}%"
