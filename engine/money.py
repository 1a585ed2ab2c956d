"""Exact money: Decimal throughout, rounded half-up to cents only at the edge."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MONEY_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)


def cents(amount: Decimal) -> Decimal:
    """Round to cents, half-up (the only rounding the engine does)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def pct(percent: Decimal) -> Decimal:
    """A percent (6 for 6%) as a rate (0.06)."""
    return percent / HUNDRED


def usd(amount: Decimal) -> str:
    """Dollars for a formula: $1,234.56, or $1,234 when whole (half-up under MONEY_CONTEXT)."""
    text = f"{amount:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return "-$" + text[1:] if text.startswith("-") else "$" + text


def num(value: Decimal) -> str:
    """A plain number for a formula, without trailing zeros."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():f}"
