"""Contribution limits (402(g), 414(v), 415(c), 401(a)(17)) and the employer match."""

from __future__ import annotations

from decimal import Decimal

from engine.money import ZERO, num, pct
from engine.parameters import YearParameters
from engine.profile import MatchTier, Profile
from engine.report import CatchUpKind, Contributions, Limits
from engine.trace import Trace


def catch_up_kind(
    age: int, law: YearParameters, catch_up_allowed: bool, age_60_63_allowed: bool
) -> CatchUpKind:
    """Which catch-up applies: none, age_50, or age_60_63 (IRC 414(v)(2)(B), (E))."""
    if not catch_up_allowed or age < law.amount("catch_up_age"):
        return "none"
    first, last = law.get("catch_up_60_63_ages")
    if age_60_63_allowed and law.amount("catch_up_60_63") > 0 and first <= age <= last:
        return "age_60_63"
    return "age_50"


def catch_up_limit(kind: CatchUpKind, law: YearParameters) -> Decimal:
    """The catch-up dollar limit for the kind (IRC 414(v)(2))."""
    if kind == "age_60_63":
        return law.amount("catch_up_60_63")
    if kind == "age_50":
        return law.amount("catch_up_50")
    return ZERO


def roth_catch_up_applies(fica_wages: Decimal, law: YearParameters) -> bool:
    """Prior-year FICA wages over the threshold make catch-ups Roth-only (IRC 414(v)(7))."""
    return law.flag("roth_catch_up_in_effect") and fica_wages > law.amount(
        "roth_catch_up_wage_threshold"
    )


def catch_up_why(kind: CatchUpKind, age: int, plan_allows: bool, law: YearParameters) -> str:
    """Which catch-up applies and why, in the trace's words."""
    if kind == "none" and not plan_allows:
        return "the plan allows no catch-up"
    at = f"age {age} at Dec 31 {law.year}"
    from_age = num(law.amount("catch_up_age"))
    if kind == "none":
        return f"{at} (catch-up from {from_age})"
    if kind == "age_50":
        return f"{at}: age-{from_age} catch-up"
    first, last = (num(a) for a in law.get("catch_up_60_63_ages"))
    return f"{at}: ages {first}-{last} catch-up (replaces the age-{from_age} one)"


def contribution_limits(p: Profile, law: YearParameters, t: Trace) -> Limits:
    """The limits section: deferral, catch-up, 415(c) and the pay cap for this person."""
    y, age = p.year, p.age_at_year_end
    deferral = law.amount("deferral_402g")
    kind = catch_up_kind(age, law, p.plan.catch_up_allowed, p.plan.age_60_63_catch_up)
    catch_up = catch_up_limit(kind, law)
    threshold = law.amount("roth_catch_up_wage_threshold")
    roth_rule = kind != "none" and roth_catch_up_applies(p.fica_wages_prior_year, law)
    blocked = roth_rule and not p.plan.roth_available
    if blocked:
        catch_up = ZERO
    dollar_415c = law.amount("annual_additions_415c")
    pay_share = law.amount("annual_additions_pay_share")
    limit_415c = min(dollar_415c, pay_share * p.salary)
    comp_cap = law.amount("compensation_401a17")

    t.add("limits.deferral_402g", deferral, f"402(g) limit for {y}", "deferral_402g")
    why = catch_up_why(kind, age, p.plan.catch_up_allowed, law)
    if blocked:
        why += (
            f"; prior-year FICA wages {t.usd(p.fica_wages_prior_year)} > {t.usd(threshold)} make "
            "catch-ups Roth-only and the plan has no Roth option, so none is allowed = $0"
        )
    t.add("limits.catch_up", catch_up, why, "catch_up_50", "catch_up_60_63", "catch_up_age")
    t.add(
        "limits.employee_total",
        deferral + catch_up,
        f"{t.usd(deferral)} + catch-up {t.usd(catch_up)}",
        "deferral_402g",
        "catch_up_50",
    )
    t.add(
        "limits.annual_additions_415c",
        limit_415c,
        f"lesser of {t.usd(dollar_415c)} and {num(pay_share * 100)}% of pay {t.usd(p.salary)}",
        "annual_additions_415c",
        "annual_additions_pay_share",
    )
    t.add(
        "limits.annual_additions_total",
        limit_415c + catch_up,
        f"{t.usd(limit_415c)} + catch-up {t.usd(catch_up)} (catch-ups are on top of 415(c))",
        "annual_additions_415c",
        "IRC 414(v)(3)(A)",
    )
    t.add("limits.compensation_401a17", comp_cap, f"pay cap for {y}", "compensation_401a17")
    t.add(
        "limits.roth_catch_up_threshold",
        threshold,
        f"catch-ups must be Roth when prior-year FICA wages exceed {t.usd(threshold)}"
        + ("" if law.flag("roth_catch_up_in_effect") else f" (not applied in {y}: transition)"),
        "roth_catch_up_wage_threshold",
        "roth_catch_up_in_effect",
    )
    return Limits(
        deferral_402g=deferral,
        catch_up=catch_up,
        catch_up_kind=kind,
        employee_total=deferral + catch_up,
        annual_additions_415c=limit_415c,
        annual_additions_total=limit_415c + catch_up,
        compensation_401a17=comp_cap,
        roth_catch_up_required=roth_rule and not blocked,
        roth_catch_up_threshold=threshold,
        catch_up_blocked_no_roth=blocked,
    )


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


def contributions(p: Profile, limits: Limits, t: Trace) -> Contributions:
    """The contributions section: what goes in, the match, and what is left on the table."""
    cap = limits.compensation_401a17
    pay = min(p.salary, cap)
    requested = pct(p.contribution_percent) * pay
    employee = min(requested, limits.employee_total)
    match = employer_match(employee, pay, p.match)
    best = max_match(pay, p.match)
    needed = percent_for_full_match(p.match)
    formula = " + ".join(
        f"{num(t_.match_percent)}% of the next {num(t_.on_pay_percent)}% of pay" for t_ in p.match
    )
    t.add(
        "contributions.plan_compensation",
        pay,
        f"lesser of pay {t.usd(p.salary)} and the 401(a)(17) cap {t.usd(cap)}",
        "compensation_401a17",
    )
    t.add(
        "contributions.employee_requested",
        requested,
        f"{num(p.contribution_percent)}% x {t.usd(pay)}",
    )
    t.add(
        "contributions.employee_annual",
        employee,
        f"lesser of {t.usd(requested)} and the limit {t.usd(limits.employee_total)}",
        "deferral_402g",
        "catch_up_50",
    )
    t.add(
        "contributions.employer_match_annual",
        match,
        f"{formula or 'no match'} applied to {t.usd(employee)} of deferrals on {t.usd(pay)} "
        "(annual true-up)",
        "IRC 401(m); plan match formula",
    )
    t.add(
        "contributions.max_match_annual",
        best,
        f"every tier filled: {formula or 'no match'} on {t.usd(pay)}",
        "IRC 401(m); plan match formula",
    )
    t.add("contributions.match_left_on_table", best - match, f"{t.usd(best)} - {t.usd(match)}")
    t.add(
        "contributions.percent_for_full_match",
        needed,
        "sum of the tiers' percent of pay" if p.match else "no match",
    )
    return Contributions(
        employee_annual=employee,
        employee_requested=requested,
        employer_match_annual=match,
        max_match_annual=best,
        match_left_on_table=best - match,
        percent_for_full_match=needed,
        plan_compensation=pay,
        over_limit=requested > limits.employee_total,
    )
