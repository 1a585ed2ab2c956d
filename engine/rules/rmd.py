"""Required minimum distributions (IRC 401(a)(9)): start age, dates, factor, amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import ZERO, num
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import RmdOut
from engine.rules.dates import add_months
from engine.trace import Trace


def rmd_start_age(birth: date, law: YearParameters) -> Decimal:
    """The applicable age for a date of birth (IRC 401(a)(9)(C)(v))."""
    for row in law.get("rmd_start_age"):
        if birth < row["born_before"]:
            age: Decimal = row["age"]
            return age
    raise AssertionError("rmd_start_age table has no open-ended row")


def rmd_first_year(birth: date, start_age: Decimal) -> int:
    """The calendar year in which the applicable age is reached."""
    return add_months(birth, int(start_age * 12)).year


def required_beginning_date(first_year: int, law: YearParameters) -> date:
    """April 1 of the year after the first distribution year (IRC 401(a)(9)(C)(i))."""
    month, day_ = law.get("rmd_required_beginning_month_day")
    return date(first_year + 1, int(month), int(day_))


def rmd_deadline(year: int, law: YearParameters) -> date:
    """The day a distribution year's RMD is due after the first year: December 31."""
    month, day_ = law.get("rmd_deadline_month_day")
    return date(year, int(month), int(day_))


def uniform_factor(age: int, law: YearParameters) -> Decimal | None:
    """The Uniform Lifetime Table distribution period for an age (120 and over: the last row)."""
    table: dict[str, Decimal] = law.get("uniform_lifetime_table")
    first, last = int(next(iter(table))), int(next(reversed(table)))  # rows rise by one year
    if age < first:
        return None
    return table[str(min(age, last))]


def rmd(p: Profile, vested_employer: Decimal, law: YearParameters, t: Trace) -> RmdOut:
    """The RMD section for this plan in the tax year."""
    y = p.year
    birth = p.birth_date or date(p.birth_year, 12, 31)
    start = rmd_start_age(birth, law)
    first = rmd_first_year(birth, start)
    rbd = required_beginning_date(first, law)
    unsettled = p.birth_year in law.get("rmd_unsettled_birth_years")
    working = not p.job_change.leaving and not p.five_percent_owner and y >= first
    first_distribution_year = first
    if p.job_change.leaving and not p.five_percent_owner:
        first_distribution_year = max(first, p.separation.year)
        # still working past the applicable age: April 1 after the year of retiring
        rbd = required_beginning_date(first_distribution_year, law)
    required = y >= first_distribution_year and not working
    due = rbd if y == first_distribution_year else rmd_deadline(y, law)
    if p.job_change.leaving and y == first_distribution_year:
        due = required_beginning_date(first_distribution_year, law)
    given = p.prior_year_end_balance
    base = given if given is not None else p.balances.pretax + vested_employer
    factor = uniform_factor(p.age_at_year_end, law)
    amount = base / factor if (required and factor) else ZERO
    t.add(
        "rmd.start_age",
        start,
        f"born {birth.year if p.birth_date is None else birth}: applicable age {num(start)}"
        + (
            f" (born {p.birth_year}: {num(start)} under the proposed regulations; unsettled)"
            if unsettled
            else ""
        ),
        "rmd_start_age",
    )
    t.add("rmd.first_year", first, f"the year of reaching {num(start)}", "rmd_start_age")
    t.add(
        "rmd.required_beginning_date",
        rbd,
        f"{rbd:%B} {rbd.day} of the year after {rbd.year - 1}"
        + ("; delayed while you still work here (not a 5% owner)" if working else "")
        + (
            " (the year you leave: you worked here past the applicable age, not a 5% owner)"
            if rbd.year - 1 > first
            else ""
        ),
        "rmd_required_beginning_month_day",
        "IRC 401(a)(9)(C)(i)(II)",
    )
    if factor is not None:
        t.add(
            "rmd.factor",
            factor,
            f"Uniform Lifetime Table at age {p.age_at_year_end}",
            "uniform_lifetime_table",
        )
    t.add(
        "rmd.base",
        base,
        "pretax + vested employer money (Roth excluded)"
        if given is None
        else "the prior Dec 31 balance you gave (Roth excluded)",
        "rmd_excludes_roth",
    )
    t.add(
        "rmd.amount",
        amount,
        f"{t.usd(base)} / {num(factor)}"
        if (required and factor)
        else "no RMD is due for " + str(y),
        "uniform_lifetime_table",
    )
    return RmdOut(
        start_age=start,
        start_age_unsettled=unsettled,
        first_year=first,
        required_beginning_date=rbd,
        still_working_delay=working,
        required_now=required,
        factor=factor,
        base=base,
        amount=amount,
        due=due if required else None,
    )
