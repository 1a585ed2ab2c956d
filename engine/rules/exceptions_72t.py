"""The 10% additional tax (IRC 72(t)): the age rules at any date, and each exception's limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine import parameters as P
from engine.money import ZERO, num
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import EarlyWithdrawal
from engine.rules.withdrawals import (
    age_59_half_date,
    domestic_abuse_amount,
    emergency_expense_amount,
)
from engine.trace import Trace

# Exceptions that cover the whole taxable amount once they apply (no dollar limit).
UNLIMITED = ("disability", "terminal_illness", "qdro", "levy", "reservist", "sepp")
# Distributions that are not eligible rollover distributions: no 20% (irs-facts-2.md s.2a).
NOT_ROLLOVER = ("emergency", "domestic_abuse", "birth_adoption", "disaster")
# Exceptions the law allows from an IRA only; a 401(k) hardship for these still owes the 10%.
IRA_ONLY_FOR_REASON = {
    "home_purchase": "first_home_exception_ira_only",
    "tuition": "education_exception_ira_only",
}


def clamp_year(year: int) -> int:
    """The nearest tax year the parameters cover (the Report says which year it used)."""
    return min(max(year, P.SUPPORTED_YEARS[0]), P.SUPPORTED_YEARS[-1])


def law_of(year: int) -> YearParameters:
    """The default parameter set's year (the nearest covered one, as clamp_year)."""
    return P.DEFAULT.of_year(clamp_year(year))


def reached_59_half_on(p: Profile, on: date) -> bool:
    """59 1/2 reached on a date (IRC 72(t)(2)(A)(i)); without a birth date, 60 by Dec 31."""
    year = clamp_year(on.year)
    if p.birth_date is not None:
        return on >= age_59_half_date(p.birth_date, law_of(year))
    a = P.get("penalty_free_age", year)
    return on.year - p.birth_year >= int(a["years"]) + 1


def public_safety_service_met(p: Profile, extra_months: int = 0) -> bool:
    """25 years of public safety service at separation (IRC 72(t)(10), SECURE 2.0 s.329)."""
    years = p.job_change.public_safety_years
    if years is None:
        return False
    need = P.amount("public_safety_service_years", p.year)
    return years + Decimal(extra_months) / 12 >= need


def separation_exception(
    p: Profile, separation: date, on: date, extra_service_months: int = 0
) -> str | None:
    """The age rule for a payout on `on` after leaving on `separation` (72(t)(2)(A), (10))."""
    if reached_59_half_on(p, on):
        return "age_59_half"
    year = clamp_year(separation.year)
    age_in_year = separation.year - p.birth_year
    if age_in_year >= P.amount("separation_age", year):
        return "separation_age_55"
    if p.job_change.public_safety and age_in_year >= P.amount("public_safety_separation_age", year):
        return "public_safety_age_50"
    if public_safety_service_met(p, extra_service_months):
        return "public_safety_25_years"
    return None


def birth_adoption_limit(children: int, year: int) -> Decimal:
    """$5,000 per child born or adopted (IRC 72(t)(2)(H))."""
    return P.amount("birth_adoption_cap", year) * children


def disaster_limit(year: int) -> Decimal:
    """$22,000 per qualified disaster (IRC 72(t)(11))."""
    return P.amount("disaster_distribution_cap", year)


def ltc_limit(premiums: Decimal, vested: Decimal, on: date, year: int) -> Decimal | None:
    """Least of premiums, 10% of vested, the indexed cap; None when not in force (401(a)(39))."""
    ltc = P.get("ltc_distribution_cap", year)
    if ltc["cap"] <= 0 or on <= ltc["after"]:
        return None
    limit: Decimal = min(premiums, ltc["vested_share"] * vested, ltc["cap"])
    return limit


def medical_limit(expenses: Decimal, agi_before: Decimal, taxable: Decimal, year: int) -> Decimal:
    """Medical expenses above 7.5% of AGI, the distribution included (IRC 72(t)(2)(B), 213(a))."""
    floor = P.amount("medical_expense_floor_rate", year) * (agi_before + taxable)
    return max(ZERO, expenses - floor)


@dataclass(frozen=True)
class EmergencyCheck:
    """Whether an emergency personal expense distribution is allowed this year, and why not."""

    allowed: bool
    why_not: str | None


def emergency_allowed(p: Profile) -> EmergencyCheck:
    """Once a calendar year; none in the next 3 calendar years unless repaid (72(t)(2)(I))."""
    w = p.withdrawal
    prior = w.prior_emergency_year
    if prior is None:
        return EmergencyCheck(True, None)
    if prior == p.year:
        return EmergencyCheck(False, "emergency_once_per_year")
    wait = int(P.amount("emergency_expense_no_repeat_years", p.year))
    if p.year - prior > wait:
        return EmergencyCheck(True, None)
    # The prior one was at most that year's cap; unknown amounts count as the cap.
    cap: Decimal = P.get("emergency_expense_cap", clamp_year(prior))["cap"]
    prior_amount = w.prior_emergency_amount if w.prior_emergency_amount is not None else cap
    if w.prior_emergency_repaid >= prior_amount:
        return EmergencyCheck(True, None)
    return EmergencyCheck(False, "emergency_prior_not_repaid")


def emergency_limit(vested: Decimal, year: int) -> Decimal:
    """Lesser of $1,000 and the vested balance over $1,000 (IRC 72(t)(2)(I))."""
    return emergency_expense_amount(vested, law_of(year))


def domestic_abuse_limit(vested: Decimal, year: int) -> Decimal:
    """Lesser of the indexed cap and 50% of the vested balance (IRC 72(t)(2)(K))."""
    return domestic_abuse_amount(vested, law_of(year))


def repay_within_years(code: str, year: int) -> int | None:
    """Years within which the exception's distribution may be repaid, if it may."""
    table = P.get("exception_repayment_years", year)
    value = table.get(code)
    return int(value) if value is not None else None


def with_public_safety_service(p: Profile, early: EarlyWithdrawal, t: Trace) -> EarlyWithdrawal:
    """early_withdrawal with the 25-years-of-service rule added (72(t)(10), SECURE 2.0 s.329)."""
    if early.exception is not None or not p.job_change.leaving:
        return early
    if not public_safety_service_met(p):
        return early
    years = p.job_change.public_safety_years
    need = P.amount("public_safety_service_years", p.year)
    t.add(
        "early_withdrawal.exception",
        "public_safety_25_years",
        f"{num(years or ZERO)} years of public safety service at separation (at least "
        f"{num(need)}): no 10% at any age, for a governmental plan (this plan only)",
        "public_safety_service_years",
    )
    return early.model_copy(
        update={"exception": "public_safety_25_years", "penalty_applies": False}
    )
