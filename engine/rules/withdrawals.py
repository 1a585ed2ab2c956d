"""Early distributions: the 10% additional tax (IRC 72(t)), its exceptions, penalty-free amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import HUNDRED, ZERO, num
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import EarlyWithdrawal, Exception72t, PenaltyFree
from engine.rules.dates import add_months
from engine.trace import Trace


def age_59_half_date(birth_date: date, law: YearParameters) -> date:
    """The day the person reaches 59 1/2 (IRC 72(t)(2)(A)(i))."""
    a = law.get("penalty_free_age")
    return add_months(birth_date, int(a["years"]) * 12 + int(a["months"]))


def reached_59_half(p: Profile, on: date, law: YearParameters) -> bool:
    """Whether 59 1/2 is reached on a date; without a birth date, age 60+ at Dec 31 counts."""
    if p.birth_date is not None:
        return on >= age_59_half_date(p.birth_date, law)
    a = law.get("penalty_free_age")
    return p.age_at_year_end >= int(a["years"]) + 1


def distribution_date(p: Profile) -> date:
    """When a payout would happen: the separation date, or as_of if that is later."""
    if p.job_change.leaving:
        return max(p.as_of, p.separation)
    return p.as_of


def penalty_exception(p: Profile, law: YearParameters) -> Exception72t | None:
    """The 72(t) exception for a distribution from this plan now, if any."""
    if reached_59_half(p, distribution_date(p), law):
        return "age_59_half"
    if not p.job_change.leaving:
        return None
    age_in_separation_year = p.separation.year - p.birth_year
    if age_in_separation_year >= law.amount("separation_age"):
        return "separation_age_55"
    if p.job_change.public_safety and age_in_separation_year >= law.amount(
        "public_safety_separation_age"
    ):
        return "public_safety_age_50"
    return None


def emergency_expense_amount(vested: Decimal, law: YearParameters) -> Decimal:
    """Lesser of the cap or the vested balance over the floor (IRC 72(t)(2)(I))."""
    e = law.get("emergency_expense_cap")
    cap: Decimal = e["cap"]
    floor: Decimal = e["floor"]
    return max(ZERO, min(cap, vested - floor))


def domestic_abuse_amount(vested: Decimal, law: YearParameters) -> Decimal:
    """Lesser of the indexed cap or a share of the vested balance (IRC 72(t)(2)(K))."""
    d = law.get("domestic_abuse_cap")
    cap: Decimal = d["cap"]
    share: Decimal = d["share"]
    return min(cap, share * vested)


def birth_or_adoption_amount(vested: Decimal, law: YearParameters) -> Decimal:
    """Up to the per-child amount, within the vested balance (IRC 72(t)(2)(H))."""
    return min(law.amount("birth_adoption_cap"), vested)


def penalty_why(p: Profile, exc: Exception72t | None, when: date, law: YearParameters) -> str:
    """Why the 10% additional tax applies or not, in the trace's words."""
    if exc == "separation_age_55" or exc == "public_safety_age_50":
        turning = p.separation.year - p.birth_year
        if exc == "separation_age_55":
            return (
                f"left this employer in {p.separation.year}, the year of turning {turning} "
                f"({num(law.amount('separation_age'))} or later); applies to this plan only"
            )
        return (
            f"public safety employee who left in {p.separation.year}, the year of turning "
            f"{turning} ({num(law.amount('public_safety_separation_age'))} or later)"
        )
    a = law.get("penalty_free_age")
    free_age = f"{int(a['years'])} years {int(a['months'])} months"
    if exc == "age_59_half":
        return f"{free_age} reached by {when}"
    if p.job_change.leaving:
        return f"under {free_age} on {when} and no separation-age exception applies"
    return f"under {free_age} on {when}, still employed"


def early_withdrawal(
    p: Profile, vested: Decimal, available: Decimal, law: YearParameters, t: Trace
) -> EarlyWithdrawal:
    """The early-withdrawal section: penalty, exception, penalty-free amounts."""
    exc = penalty_exception(p, law)
    rate = law.amount("early_withdrawal_rate") * HUNDRED
    when = distribution_date(p)
    why = penalty_why(p, exc, when, law)
    t.add(
        "early_withdrawal.penalty_percent",
        rate,
        f"{num(rate)}% additional tax {'does not apply' if exc else 'applies'}: {why}",
        "early_withdrawal_rate",
        "penalty_free_age",
        "separation_age",
        "public_safety_separation_age",
    )
    emergency = min(emergency_expense_amount(vested, law), available)
    abuse = min(domestic_abuse_amount(vested, law), available)
    birth = min(birth_or_adoption_amount(vested, law), available)
    e = law.get("emergency_expense_cap")
    d = law.get("domestic_abuse_cap")
    t.add(
        "early_withdrawal.penalty_free_amounts.emergency_expense",
        emergency,
        f"lesser of {t.usd(e['cap'])} and vested {t.usd(vested)} - {t.usd(e['floor'])}; "
        "once a year",
        "emergency_expense_cap",
    )
    t.add(
        "early_withdrawal.penalty_free_amounts.domestic_abuse",
        abuse,
        f"lesser of {t.usd(d['cap'])} and {num(d['share'] * 100)}% x {t.usd(vested)}",
        "domestic_abuse_cap",
    )
    t.add(
        "early_withdrawal.penalty_free_amounts.birth_or_adoption",
        birth,
        f"{t.usd(law.amount('birth_adoption_cap'))} per child, within the vested balance",
        "birth_adoption_cap",
    )
    return EarlyWithdrawal(
        penalty_applies=exc is None,
        penalty_percent=rate,
        exception=exc,
        age_59_half_date=age_59_half_date(p.birth_date, law) if p.birth_date else None,
        penalty_free_amounts=PenaltyFree(
            emergency_expense=emergency, domestic_abuse=abuse, birth_or_adoption=birth
        ),
    )
