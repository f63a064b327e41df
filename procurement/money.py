"""The one rounding helper for money: unit prices to 6 places, amounts and totals to 2, half up."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

PRICE_PLACES = Decimal("0.000001")
MONEY_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def price(value) -> Decimal:
    """A unit price, 6 places."""
    return to_decimal(value).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    """An amount or total, 2 places (分)."""
    return to_decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def line_amount(quantity: int, unit_price) -> Decimal:
    return money(Decimal(quantity) * price(unit_price))


def with_margin(quantity: int, margin_percent: int = 3) -> int:
    """SIZING.md "Demand": the spare margin on an order line, rounded up in integer arithmetic
    ⌈n × (100 + m) / 100⌉ (m = 3: 100 → 103, 101 → 105)."""
    return -(-quantity * (100 + margin_percent) // 100)


def percent_of(amount, percent) -> Decimal:
    """A percentage of an amount, rounded down to the 分: a cap computed this way is never exceeded."""
    return (to_decimal(amount) * to_decimal(percent) / 100).quantize(MONEY_PLACES, rounding=ROUND_DOWN)
