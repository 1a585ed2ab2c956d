"""How an amount, a percent, a plain number and a date read: $1,234.56, 6.5%, 70.5, April 15, 2027.

Money is rounded half-up to cents here, at the edge; the engine keeps exact Decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | float | int) -> str:
    """$1,234 when whole, $1,234.56 otherwise, -$1,234 when negative (half-up to cents)."""
    d = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{abs(d):,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return ("-$" if d < 0 else "$") + text


def number(value: Decimal | float | int) -> str:
    """A number without trailing zeros: 75.00 -> 75, 70.50 -> 70.5."""
    d = Decimal(str(value)).normalize()
    return f"{d:f}" if d != 0 else "0"


def percent(value: Decimal | float | int) -> str:
    """6 -> 6%, 6.5 -> 6.5%."""
    return number(value) + "%"


def long_date(value: date) -> str:
    """2027-04-15 -> April 15, 2027."""
    return f"{value:%B} {value.day}, {value.year}"


def month_day(month: int, day: int) -> str:
    """4, 1 -> April 1 (a day of every year, as the law states it)."""
    return f"{date(2000, month, day):%B} {day}"


__all__ = ["long_date", "money", "month_day", "number", "percent"]
