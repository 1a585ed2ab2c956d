"""Contribution limits (402(g), 414(v), 415(c), 401(a)(17)) and the employer match."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import ZERO, num, pct, usd
from engine.profile import MatchTier, Profile
from engine.trace import Trace


def catch_up_kind(age: int, year: int, catch_up_allowed: bool, age_60_63_allowed: bool) -> str:
    """Which catch-up applies: none, age_50, or age_60_63 (IRC 414(v)(2)(B), (E))."""
    if not catch_up_allowed or age < P.amount("catch_up_age", year):
        return "none"
    first, last = P.get("catch_up_60_63_ages", year)
    if age_60_63_allowed and P.amount("catch_up_60_63", year) > 0 and first <= age <= last:
        return "age_60_63"
    return "age_50"


def catch_up_limit(kind: str, year: int) -> Decimal:
    """The catch-up dollar limit for the kind (IRC 414(v)(2))."""
    if kind == "age_60_63":
        return P.amount("catch_up_60_63", year)
    if kind == "age_50":
        return P.amount("catch_up_50", year)
    return ZERO


def roth_catch_up_applies(fica_wages: Decimal, year: int) -> bool:
    """Prior-year FICA wages over the threshold make catch-ups Roth-only (IRC 414(v)(7))."""
    return P.flag("roth_catch_up_in_effect", year) and fica_wages > P.amount(
        "roth_catch_up_wage_threshold", year
    )


def contribution_limits(p: Profile, t: Trace) -> dict[str, Any]:
    """The limits section: deferral, catch-up, 415(c) and the pay cap for this person."""
    y, age = p.year, p.age_at_year_end
    deferral = P.amount("deferral_402g", y)
    kind = catch_up_kind(age, y, p.plan.catch_up_allowed, p.plan.age_60_63_catch_up)
    catch_up = catch_up_limit(kind, y)
    threshold = P.amount("roth_catch_up_wage_threshold", y)
    roth_rule = kind != "none" and roth_catch_up_applies(p.fica_wages_prior_year, y)
    blocked = roth_rule and not p.plan.roth_available
    if blocked:
        catch_up = ZERO
    dollar_415c = P.amount("annual_additions_415c", y)
    limit_415c = min(dollar_415c, p.salary)
    comp_cap = P.amount("compensation_401a17", y)

    t.add("limits.deferral_402g", deferral, f"402(g) limit for {y}", "deferral_402g")
    why = {
        "none": f"age {age} at Dec 31 {y} (catch-up from {num(P.amount('catch_up_age', y))})"
        if p.plan.catch_up_allowed
        else "the plan allows no catch-up",
        "age_50": f"age {age} at Dec 31 {y}: age-50 catch-up",
        "age_60_63": f"age {age} at Dec 31 {y}: ages 60-63 catch-up (replaces the age-50 one)",
    }[kind]
    if blocked:
        why += (
            f"; prior-year FICA wages {usd(p.fica_wages_prior_year)} > {usd(threshold)} make "
            "catch-ups Roth-only and the plan has no Roth option, so none is allowed = $0"
        )
    t.add("limits.catch_up", catch_up, why, "catch_up_50", "catch_up_60_63", "catch_up_age")
    t.add(
        "limits.employee_total",
        deferral + catch_up,
        f"{usd(deferral)} + catch-up {usd(catch_up)}",
        "deferral_402g",
        "catch_up_50",
    )
    t.add(
        "limits.annual_additions_415c",
        limit_415c,
        f"lesser of {usd(dollar_415c)} and 100% of pay {usd(p.salary)}",
        "annual_additions_415c",
    )
    t.add(
        "limits.annual_additions_total",
        limit_415c + catch_up,
        f"{usd(limit_415c)} + catch-up {usd(catch_up)} (catch-ups are on top of 415(c))",
        "annual_additions_415c",
        "IRC 414(v)(3)(A)",
    )
    t.add("limits.compensation_401a17", comp_cap, f"pay cap for {y}", "compensation_401a17")
    t.add(
        "limits.roth_catch_up_threshold",
        threshold,
        f"catch-ups must be Roth when prior-year FICA wages exceed {usd(threshold)}"
        + ("" if P.flag("roth_catch_up_in_effect", y) else f" (not applied in {y}: transition)"),
        "roth_catch_up_wage_threshold",
        "roth_catch_up_in_effect",
    )
    return {
        "deferral_402g": deferral,
        "catch_up": catch_up,
        "catch_up_kind": kind,
        "employee_total": deferral + catch_up,
        "annual_additions_415c": limit_415c,
        "annual_additions_total": limit_415c + catch_up,
        "compensation_401a17": comp_cap,
        "roth_catch_up_required": roth_rule and not blocked,
        "roth_catch_up_threshold": threshold,
        "catch_up_blocked_no_roth": blocked,
    }


def employer_match(deferral: Decimal, pay: Decimal, tiers: list[MatchTier]) -> Decimal:
    """Match on consecutive tiers of pay, computed on the year's deferrals (annual true-up)."""
    match, lower = ZERO, ZERO
    for tier in tiers:
        band = pct(tier.on_pay_percent) * pay
        used = min(max(ZERO, deferral - lower), band)
        match += used * pct(tier.match_percent)
        lower += band
    return match


def max_match(pay: Decimal, tiers: list[MatchTier]) -> Decimal:
    """The most the formula can pay: every tier filled."""
    return sum((pct(t.on_pay_percent) * pay * pct(t.match_percent) for t in tiers), ZERO)


def percent_for_full_match(tiers: list[MatchTier]) -> Decimal:
    """The contribution percent that fills every tier that pays a match."""
    total, needed = ZERO, ZERO
    for tier in tiers:
        total += tier.on_pay_percent
        if tier.match_percent > 0:
            needed = total
    return needed


def contributions(p: Profile, limits: dict[str, Any], t: Trace) -> dict[str, Any]:
    """The contributions section: what goes in, the match, and what is left on the table."""
    cap = limits["compensation_401a17"]
    pay = min(p.salary, cap)
    requested = pct(p.contribution_percent) * pay
    employee = min(requested, limits["employee_total"])
    match = employer_match(employee, pay, p.match)
    best = max_match(pay, p.match)
    needed = percent_for_full_match(p.match)
    formula = " + ".join(
        f"{num(t_.match_percent)}% of the next {num(t_.on_pay_percent)}% of pay" for t_ in p.match
    )
    t.add(
        "contributions.plan_compensation",
        pay,
        f"lesser of pay {usd(p.salary)} and the 401(a)(17) cap {usd(cap)}",
        "compensation_401a17",
    )
    t.add(
        "contributions.employee_requested",
        requested,
        f"{num(p.contribution_percent)}% x {usd(pay)}",
    )
    t.add(
        "contributions.employee_annual",
        employee,
        f"lesser of {usd(requested)} and the limit {usd(limits['employee_total'])}",
        "deferral_402g",
        "catch_up_50",
    )
    t.add(
        "contributions.employer_match_annual",
        match,
        f"{formula or 'no match'} applied to {usd(employee)} of deferrals on {usd(pay)} "
        "(annual true-up)",
        "IRC 401(m); plan match formula",
    )
    t.add(
        "contributions.max_match_annual",
        best,
        f"every tier filled: {formula or 'no match'} on {usd(pay)}",
        "IRC 401(m); plan match formula",
    )
    t.add("contributions.match_left_on_table", best - match, f"{usd(best)} - {usd(match)}")
    t.add(
        "contributions.percent_for_full_match",
        needed,
        "sum of the tiers' percent of pay" if p.match else "no match",
    )
    return {
        "employee_annual": employee,
        "employee_requested": requested,
        "employer_match_annual": match,
        "max_match_annual": best,
        "match_left_on_table": best - match,
        "percent_for_full_match": needed,
        "plan_compensation": pay,
        "over_limit": requested > limits["employee_total"],
    }
