"""Return due dates from the rule, for years whose dates are not in the parameter data.

IRC 6072(a): the 15th day of the 4th month after the tax year (April 15); IRC 6081 and
Treas. Reg. 1.6081-4: six more months with the automatic extension (October 15); IRC 7503: a
date on a Saturday, Sunday or legal holiday in the District of Columbia moves to the next day
that is none of these (DC Emancipation Day, April 16, is observed on the nearest weekday:
D.C. Code 1-612.02). These dates are fixed by statute, not indexed.
"""

from __future__ import annotations

from datetime import date, timedelta

RETURN_DUE = (4, 15)
EXTENDED_DUE = (10, 15)
EMANCIPATION_DAY = (4, 16)


def emancipation_day(year: int) -> date:
    """DC Emancipation Day as observed: April 16, or the nearest weekday (D.C. Code 1-612.02)."""
    day = date(year, *EMANCIPATION_DAY)
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    """The day itself, or the next day that is no weekend or DC holiday (IRC 7503)."""
    while day.weekday() >= 5 or day == emancipation_day(day.year):
        day += timedelta(days=1)
    return day


def return_due_date(tax_year: int) -> date:
    """The 15th day of the 4th month after the year (IRC 6072(a)), moved by IRC 7503."""
    return next_business_day(date(tax_year + 1, *RETURN_DUE))


def extended_due_date(tax_year: int) -> date:
    """Six months later, October 15 (IRC 6081, Treas. Reg. 1.6081-4), moved by IRC 7503."""
    return next_business_day(date(tax_year + 1, *EXTENDED_DUE))
