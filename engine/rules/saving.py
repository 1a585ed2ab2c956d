"""Saving: the balance projected to retirement, the income it could support, room, Roth or not."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from engine.money import HUNDRED, ONE, ZERO, num, pct, usd
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import Contributions, Limits, SavingOut
from engine.rules import history
from engine.rules.allocation import stock_percent_rule
from engine.rules.tax import standard_deduction, tax_on_income
from engine.trace import Trace

RothOrTraditional = Literal["roth", "traditional", "either"]
ASSUMED_RETURN = "assumptions.annual_return_percent (an assumption, not law)"
ASSUMED_INFLATION = f"assumed inflation: the geometric mean CPI of {history.SOURCE}"
RULE_OF_THUMB = "rule of thumb (an assumption, not law)"


def taxable_income(p: Profile, income: Decimal, year: int, law: YearParameters) -> Decimal:
    """Income less the standard deduction for the ages at Dec 31 of `year` (may be negative)."""
    age, spouse = p.deduction_age(year), p.spouse_deduction_age(year)
    return income - standard_deduction(p.filing_status, age, law, income, spouse)


def bracket_at(
    taxable: Decimal, status: str, law: YearParameters
) -> tuple[Decimal, Decimal | None]:
    """The rate on the next dollar of taxable income and where that bracket ends (IRC 1(j))."""
    brackets = law.get("tax_brackets")[status]
    if taxable < 0:
        return ZERO, Decimal(brackets[0][0])
    rate, ceiling = brackets[0][1], None
    for i, (floor, r) in enumerate(brackets):
        if taxable >= floor:
            rate = r
            ceiling = brackets[i + 1][0] if i + 1 < len(brackets) else None
    return rate, ceiling


def marginal_rate(p: Profile, income: Decimal, year: int, law: YearParameters) -> Decimal:
    """The bracket rate on the next dollar of this income (after the standard deduction)."""
    return bracket_at(taxable_income(p, income, year, law), p.filing_status, law)[0]


def project(balance: Decimal, yearly: Decimal, rate: Decimal, years: int) -> Decimal:
    """A balance grown `years` years at `rate`, plus `yearly` added at each year's end."""
    if years <= 0:
        return balance
    growth = (ONE + rate) ** years
    added = yearly * years if rate == 0 else yearly * (growth - ONE) / rate
    return balance * growth + added


def roth_ira_limit(p: Profile, law: YearParameters) -> tuple[Decimal, str]:
    """The Roth IRA contribution limit after the MAGI phase-out (IRC 408A(c)(3), 219(b)(5)).

    MAGI is taken as this year's income; the reduced limit is rounded up to the next $10 and not
    below $200 until fully phased out (Treas. Reg. 1.408A-3 Q&A-3(b)); at most the pay.
    """
    limit = law.amount("ira_contribution_limit")
    if p.age_at_year_end >= law.amount("ira_catch_up_age"):
        limit += law.amount("ira_catch_up")
    low, high = law.get("roth_ira_phase_out")[p.filing_status]
    magi = p.income
    if magi <= low:
        reduced, how = limit, f"MAGI {usd(magi)} at or under {usd(low)}: the full {usd(limit)}"
    elif magi >= high:
        reduced, how = ZERO, f"MAGI {usd(magi)} at or over {usd(high)}: phased out"
    else:
        step = law.amount("roth_ira_limit_rounding")
        cut = limit * (magi - low) / (high - low)
        reduced = ((limit - cut) / step).to_integral_value(rounding=ROUND_CEILING) * step
        reduced = max(reduced, law.amount("roth_ira_limit_floor"))
        how = (
            f"{usd(limit)} - {usd(limit)} x (MAGI {usd(magi)} - {usd(low)}) / "
            f"({usd(high)} - {usd(low)}), rounded up to {usd(step)}, at least "
            f"{usd(law.amount('roth_ira_limit_floor'))}"
        )
    if p.salary < reduced:
        return p.salary, how + f"; at most the pay {usd(p.salary)}"
    return reduced, how


@dataclass(frozen=True)
class Projection:
    """The saving projection the retiring path reuses."""

    years: int
    nominal: Decimal
    today_dollars: Decimal
    inflation: Decimal


def projection(p: Profile, balance: Decimal, yearly: Decimal, to_age: int) -> Projection:
    """Today's balance plus flat yearly contributions to `to_age`, nominal and in today's money."""
    years = max(0, to_age - p.age_at_year_end)
    nominal = project(balance, yearly, pct(p.assumptions.annual_return_percent), years)
    inflation = history.mean_inflation()
    return Projection(years, nominal, nominal / (ONE + inflation) ** years, inflation)


def saving(
    p: Profile,
    limits: Limits,
    contrib: Contributions,
    vested_employer: Decimal,
    law: YearParameters,
    t: Trace,
) -> SavingOut:
    """The saving section: always present, computed from what is known."""
    at_age = p.saving.retirement_age or p.assumptions.retirement_age
    employer = vested_employer if p.job_change.leaving else p.balances.employer
    balance = p.balances.pretax + p.balances.roth + employer
    yearly = contrib.employee_annual + contrib.employer_match_annual
    proj = projection(p, balance, yearly, at_age)
    r = p.assumptions.annual_return_percent
    given = "saving.retirement_age" if p.saving.retirement_age else "assumptions.retirement_age"
    t.add("saving.at_age", at_age, f"{given} (an assumption, not law)")
    t.add("saving.years_to_go", proj.years, f"{at_age} - age {p.age_at_year_end}, at least 0")
    t.add("saving.assumed_return_percent", r, "assumptions.annual_return_percent", ASSUMED_RETURN)
    t.add(
        "saving.match_left_on_table",
        contrib.match_left_on_table,
        "contributions.match_left_on_table",
        "IRC 401(m); plan match formula",
    )
    t.add(
        "saving.current_balance",
        balance,
        f"pretax {t.usd(p.balances.pretax)} + Roth {t.usd(p.balances.roth)} + employer "
        f"{t.usd(employer)}" + (" (vested)" if p.job_change.leaving else " (staying: all of it)"),
    )
    t.add(
        "saving.yearly_contributions",
        yearly,
        f"yours {t.usd(contrib.employee_annual)} + match {t.usd(contrib.employer_match_annual)}, "
        "held flat every year (no raises, no limit changes)",
        "IRC 402(g), 401(m); plan match formula",
    )
    t.add(
        "saving.projected_balance",
        proj.nominal,
        f"{t.usd(balance)} x (1 + {num(r)}%)^{proj.years} + {t.usd(yearly)} a year at each "
        f"year's end, grown at {num(r)}%, to age {at_age} (dollars of that year)",
        ASSUMED_RETURN,
    )
    t.add(
        "saving.assumed_inflation_percent",
        proj.inflation * HUNDRED,
        f"geometric mean CPI {history.FIRST_YEAR}-{history.LAST_YEAR}",
        history.SOURCE,
    )
    t.add(
        "saving.projected_balance_today_dollars",
        proj.today_dollars,
        f"{t.usd(proj.nominal)} / (1 + {num(proj.inflation * HUNDRED)}%)^{proj.years}",
        ASSUMED_RETURN,
        ASSUMED_INFLATION,
    )
    stock = p.retirement.stock_percent
    assumptions = ["return_assumed", "inflation_from_history", "contributions_flat"]
    if stock is None:
        stock = stock_percent_rule(110, at_age)
        assumptions.append("stock_percent_from_110_rule")
    horizon = p.retirement.plan_to_age - at_age
    t.add(
        "saving.income_stock_percent",
        stock,
        "retirement.stock_percent" if p.retirement.stock_percent is not None else "110 - age",
        RULE_OF_THUMB,
    )
    t.add(
        "saving.income_years",
        horizon,
        f"plan to age {p.retirement.plan_to_age} - retirement at {at_age}",
    )
    safe = history.safe_rate(horizon, pct(stock))
    income = None if safe is None else proj.today_dollars * safe[0]
    if safe is None:
        t.add("saving.yearly_income_estimate", "none", f"no {horizon}-year horizon in the data")
    else:
        t.add(
            "saving.income_rate_percent",
            safe[0] * HUNDRED,
            f"the highest inflation-adjusted withdrawal that lasted {horizon} years (to age "
            f"{p.retirement.plan_to_age}) from every start year {history.FIRST_YEAR}-"
            f"{history.LAST_YEAR - horizon + 1} at {num(stock)}% stocks; the worst start was "
            f"{safe[1]} ({history.CONVENTIONS})",
            history.SOURCE,
        )
        t.add(
            "saving.income_rate_worst_start_year",
            safe[1],
            "the start year with the lowest such rate",
            history.SOURCE,
        )
        t.add(
            "saving.yearly_income_estimate",
            income,
            f"{t.usd(proj.today_dollars)} x {num(safe[0] * HUNDRED)}% (today's dollars, raised "
            "with prices every year)",
            history.SOURCE,
        )
    pay = contrib.plan_compensation
    room = max(ZERO, min(limits.employee_total, pay) - contrib.employee_annual)
    catch_up_room = min(room, limits.catch_up)
    t.add(
        "saving.room_left",
        room,
        f"lesser of the limit {t.usd(limits.employee_total)} and pay {t.usd(pay)}, less your "
        f"{t.usd(contrib.employee_annual)}",
        "deferral_402g",
        "catch_up_50",
        "catch_up_60_63",
    )
    t.add(
        "saving.catch_up_room",
        catch_up_room,
        f"the part of the room that is catch-up (at most {t.usd(limits.catch_up)})",
        "catch_up_50",
        "catch_up_60_63",
    )
    rate_now = marginal_rate(p, p.income, p.year, law)
    # A catch-up that must be Roth (IRC 414(v)(7)) is taxed now: only the rest lowers the tax.
    pretax = room - catch_up_room if limits.roth_catch_up_required else room
    before = tax_on_income(
        p.income, p.filing_status, p.deduction_age(p.year), law, p.spouse_deduction_age(p.year)
    )
    after = tax_on_income(
        p.income - pretax,
        p.filing_status,
        p.deduction_age(p.year),
        law,
        p.spouse_deduction_age(p.year),
    )
    t.add(
        "saving.marginal_rate_now_percent",
        rate_now * HUNDRED,
        f"the bracket of taxable income {t.usd(taxable_income(p, p.income, p.year, law))} "
        f"(income {t.usd(p.income)} less the standard deduction)",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(
        "saving.tax_saved_if_max",
        before - after,
        f"federal tax on {t.usd(p.income)} minus on {t.usd(p.income - pretax)} (the room "
        "contributed pre-tax, off the top of this year's income"
        + (", less the catch-up, which must be Roth)" if pretax != room else ")"),
        "tax_brackets",
        "standard_deduction",
    )
    rate_later: Decimal | None = None
    pension = p.retirement.pension_monthly * 12
    if income is not None:
        later_year = p.year + proj.years
        rate_later = marginal_rate(p, income + pension, later_year, law)
        t.add(
            "saving.marginal_rate_retirement_percent",
            rate_later * HUNDRED,
            f"the bracket of {t.usd(income)} a year from savings"
            + (f" + pension {t.usd(pension)}" if pension else "")
            + f" at age {at_age}, this year's brackets (they rise with prices; today's dollars); "
            "Social Security's taxable part not counted",
            "tax_brackets",
            "standard_deduction",
        )
    choice, reasons = roth_or_traditional(rate_now, rate_later)
    if not p.plan.roth_available:
        reasons.append("plan_has_no_roth")
    if limits.roth_catch_up_required:
        reasons.append("catch_up_must_be_roth")
    if contrib.match_left_on_table > 0:
        reasons.append("match_left_on_table")
    t.add(
        "saving.roth_or_traditional",
        choice,
        f"marginal rate now {num(rate_now * HUNDRED)}% against "
        + ("unknown" if rate_later is None else f"{num(rate_later * HUNDRED)}%")
        + " on the projected retirement income",
        "tax_brackets",
    )
    roth_ira, how = roth_ira_limit(p, law)
    t.add(
        "saving.roth_ira_max_contribution",
        roth_ira,
        how,
        "ira_contribution_limit",
        "ira_catch_up",
        "roth_ira_phase_out",
        "roth_ira_limit_rounding",
    )
    return SavingOut(
        at_age=at_age,
        years_to_go=proj.years,
        current_balance=balance,
        yearly_contributions=yearly,
        match_left_on_table=contrib.match_left_on_table,
        assumed_return_percent=r,
        assumed_inflation_percent=proj.inflation * HUNDRED,
        projected_balance=proj.nominal,
        projected_balance_today_dollars=proj.today_dollars,
        income_stock_percent=stock,
        income_years=horizon,
        income_rate_percent=None
        if safe is None
        else (safe[0] * HUNDRED).quantize(Decimal("0.0001")),
        income_rate_worst_start_year=None if safe is None else safe[1],
        yearly_income_estimate=income,
        room_left=room,
        catch_up_room=catch_up_room,
        marginal_rate_now_percent=rate_now * HUNDRED,
        tax_saved_if_max=before - after,
        marginal_rate_retirement_percent=None if rate_later is None else rate_later * HUNDRED,
        roth_ira_max_contribution=roth_ira,
        roth_or_traditional=choice,
        reasons=reasons,
        assumptions=assumptions,
    )


def roth_or_traditional(now: Decimal, later: Decimal | None) -> tuple[RothOrTraditional, list[str]]:
    """Roth when the retirement rate is higher than now, traditional when lower, else either."""
    if later is None:
        return "either", ["retirement_rate_unknown"]
    if now > later:
        return "traditional", ["rate_now_higher_than_in_retirement"]
    if later > now:
        return "roth", ["rate_in_retirement_higher_than_now"]
    return "either", ["same_rate_now_and_in_retirement"]
