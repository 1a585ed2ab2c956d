"""Early distributions: the 10% additional tax (IRC 72(t)), its exceptions, penalty-free amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import HUNDRED, ZERO, num, usd
from engine.profile import Profile
from engine.rules.dates import add_months
from engine.trace import Trace


def age_59_half_date(birth_date: date, year: int) -> date:
    """The day the person reaches 59 1/2 (IRC 72(t)(2)(A)(i))."""
    a = P.get("penalty_free_age", year)
    return add_months(birth_date, int(a["years"]) * 12 + int(a["months"]))


def reached_59_half(p: Profile, on: date) -> bool:
    """Whether 59 1/2 is reached on a date; without a birth date, age 60+ at Dec 31 counts."""
    if p.birth_date is not None:
        return on >= age_59_half_date(p.birth_date, p.year)
    a = P.get("penalty_free_age", p.year)
    return p.age_at_year_end >= int(a["years"]) + 1


def distribution_date(p: Profile) -> date:
    """When a payout would happen: the separation date, or as_of if that is later."""
    if p.job_change.leaving:
        return max(p.as_of, p.separation)
    return p.as_of


def penalty_exception(p: Profile) -> str | None:
    """The 72(t) exception for a distribution from this plan now, if any."""
    if reached_59_half(p, distribution_date(p)):
        return "age_59_half"
    if not p.job_change.leaving:
        return None
    age_in_separation_year = p.separation.year - p.birth_year
    if age_in_separation_year >= P.amount("separation_age", p.year):
        return "separation_age_55"
    if p.job_change.public_safety and age_in_separation_year >= P.amount(
        "public_safety_separation_age", p.year
    ):
        return "public_safety_age_50"
    return None


def emergency_expense_amount(vested: Decimal, year: int) -> Decimal:
    """Lesser of $1,000 or the vested balance over $1,000 (IRC 72(t)(2)(I))."""
    e = P.get("emergency_expense_cap", year)
    cap: Decimal = e["cap"]
    floor: Decimal = e["floor"]
    return max(ZERO, min(cap, vested - floor))


def domestic_abuse_amount(vested: Decimal, year: int) -> Decimal:
    """Lesser of the indexed cap or 50% of the vested balance (IRC 72(t)(2)(K))."""
    d = P.get("domestic_abuse_cap", year)
    cap: Decimal = d["cap"]
    share: Decimal = d["share"]
    return min(cap, share * vested)


def birth_or_adoption_amount(vested: Decimal, year: int) -> Decimal:
    """Up to $5,000 per child, within the vested balance (IRC 72(t)(2)(H))."""
    return min(P.amount("birth_adoption_cap", year), vested)


def early_withdrawal(p: Profile, vested: Decimal, available: Decimal, t: Trace) -> dict[str, Any]:
    """The early-withdrawal section: penalty, exception, penalty-free amounts."""
    y = p.year
    exc = penalty_exception(p)
    rate = P.amount("early_withdrawal_rate", y) * HUNDRED
    when = distribution_date(p)
    a = P.get("penalty_free_age", y)
    free_age = f"{int(a['years'])} years {int(a['months'])} months"
    why = {
        None: f"under {free_age} on "
        + str(when)
        + (
            " and no separation-age exception applies"
            if p.job_change.leaving
            else ", still employed"
        ),
        "age_59_half": f"{free_age} reached by {when}",
        "separation_age_55": f"left this employer in {p.separation.year}, the year of turning "
        f"{p.separation.year - p.birth_year} (55 or later); applies to this plan only",
        "public_safety_age_50": f"public safety employee who left in {p.separation.year}, the "
        f"year of turning {p.separation.year - p.birth_year} (50 or later)",
    }[exc]
    t.add(
        "early_withdrawal.penalty_percent",
        rate,
        f"{num(rate)}% additional tax {'does not apply' if exc else 'applies'}: {why}",
        "early_withdrawal_rate",
        "penalty_free_age",
        "separation_age",
        "public_safety_separation_age",
    )
    emergency = min(emergency_expense_amount(vested, y), available)
    abuse = min(domestic_abuse_amount(vested, y), available)
    birth = min(birth_or_adoption_amount(vested, y), available)
    e = P.get("emergency_expense_cap", y)
    d = P.get("domestic_abuse_cap", y)
    t.add(
        "early_withdrawal.penalty_free_amounts.emergency_expense",
        emergency,
        f"lesser of {usd(e['cap'])} and vested {usd(vested)} - {usd(e['floor'])}; once a year",
        "emergency_expense_cap",
    )
    t.add(
        "early_withdrawal.penalty_free_amounts.domestic_abuse",
        abuse,
        f"lesser of {usd(d['cap'])} and {num(d['share'] * 100)}% x {usd(vested)}",
        "domestic_abuse_cap",
    )
    t.add(
        "early_withdrawal.penalty_free_amounts.birth_or_adoption",
        birth,
        f"{usd(P.amount('birth_adoption_cap', y))} per child, within the vested balance",
        "birth_adoption_cap",
    )
    return {
        "penalty_applies": exc is None,
        "penalty_percent": rate,
        "exception": exc,
        "age_59_half_date": age_59_half_date(p.birth_date, y) if p.birth_date else None,
        "penalty_free_amounts": {
            "emergency_expense": emergency,
            "domestic_abuse": abuse,
            "birth_or_adoption": birth,
        },
    }
