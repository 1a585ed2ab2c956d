"""Calendar helpers for legal dates (ages, deadlines)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (Feb 29 -> Feb 28)."""
    total = start.year * 12 + start.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def add_years(start: date, years: int) -> date:
    """The same day `years` later (Feb 29 -> Feb 28)."""
    return add_months(start, 12 * years)
