"""Designated Roth money: the 5-year rule (IRC 402A(d)) and the Roth IRA clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import ZERO
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import RothOut
from engine.rules.withdrawals import age_59_half_date, distribution_date, reached_59_half
from engine.trace import Trace


def first_qualified_year(first_roth_year: int, law: YearParameters) -> int:
    """First year the 5-taxable-year period is complete (the first year counts as one)."""
    return first_roth_year + int(law.amount("roth_five_year_period"))


def year_of_59_half(p: Profile, law: YearParameters) -> int:
    """The calendar year of reaching 59 1/2 (without a birth date: the year of turning 60)."""
    if p.birth_date is not None:
        return age_59_half_date(p.birth_date, law).year
    a = law.get("penalty_free_age")
    return p.birth_year + int(a["years"]) + 1


def roth_taxable(balance: Decimal, basis: Decimal | None, qualified: bool | None) -> Decimal:
    """Taxable part of distributing the whole Roth balance: the earnings unless qualified."""
    if qualified:
        return ZERO
    return balance - (basis if basis is not None else ZERO)


def roth(p: Profile, law: YearParameters, t: Trace) -> RothOut:
    """The Roth section: 5 years met, qualified now, and what a Roth IRA rollover restarts."""
    b = p.balances
    y = p.year
    five: bool | None = None
    qualified: bool | None = None
    first: int | None = None
    if b.roth_first_year is not None:
        start = first_qualified_year(b.roth_first_year, law)
        five = y >= start
        qualified = five and reached_59_half(p, p.as_of, law)
        first = max(start, year_of_59_half(p, law))
        t.add(
            "roth.first_qualified_year",
            first,
            f"later of {b.roth_first_year} + {start - b.roth_first_year} = {start} and the "
            "year of reaching the penalty-free age "
            f"({year_of_59_half(p, law)})",
            "roth_five_year_period",
        )
    taxable = roth_taxable(b.roth, b.roth_basis, qualified)
    t.add("roth.balance", b.roth, "as you told us")
    basis_txt = t.usd(b.roth_basis) if b.roth_basis is not None else "unknown, taken as $0"
    t.add(
        "roth.taxable_if_distributed",
        taxable,
        "qualified: $0"
        if qualified
        else f"Roth {t.usd(b.roth)} - contributions (basis) {basis_txt}",
        "IRC 402A(d); IRC 72(e)(8)",
    )
    restarts = b.roth > 0
    ira_from = None
    if restarts:
        start_year = distribution_date(p).year
        ira_from = date(start_year + int(law.amount("roth_five_year_period")), 1, 1)
        if not reached_59_half(p, ira_from, law):
            ira_from = max(ira_from, date(year_of_59_half(p, law), 1, 1))
            if p.birth_date is not None:
                ira_from = max(ira_from, age_59_half_date(p.birth_date, law))
    return RothOut(
        balance=b.roth,
        five_year_met=five,
        qualified_now=qualified,
        first_qualified_year=first,
        roth_ira_clock_restarts=restarts,
        roth_ira_qualified_from=ira_from,
        taxable_if_distributed=taxable,
        basis_known=b.roth_basis is not None,
    )
