"""The retiring path: income gap, every historical retirement, annuity, first RMD, conversions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.money import CENT, HUNDRED, ONE, ZERO, num, pct
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import (
    FullRetirementAge,
    HistoricalOut,
    RetirementOut,
    RmdOut,
    SavingOut,
    SequenceOut,
)
from engine.rules import history
from engine.rules.allocation import stock_percent_rule
from engine.rules.rmd import uniform_factor
from engine.rules.saving import (
    ASSUMED_INFLATION,
    ASSUMED_RETURN,
    bracket_at,
    projection,
    taxable_income,
)
from engine.rules.tax import tax_on_income
from engine.trace import Trace

CONVENTIONS = [
    "withdrawals_at_start_of_year",
    "raised_by_previous_year_cpi",
    "rebalanced_every_year",
    "stocks_sp500_total_return",
    "bonds_10_year_treasury",
    "no_fees_no_taxes",
    "income_above_spending_not_reinvested",
]


@dataclass(frozen=True)
class Plan:
    """The person's retirement in today's dollars: yearly needs from the portfolio by year."""

    need: tuple[Decimal, ...]  # real spending less real guaranteed income, each year k
    nominal_pension: Decimal  # a pension fixed in dollars (not indexed), yearly


def plan(p: Profile, years: int) -> Plan:
    """Spending less Social Security (from its age, indexed) and an indexed pension, by year."""
    r = p.retirement
    assert r.age is not None and r.spending_monthly is not None
    spend = r.spending_monthly * 12
    social = (r.social_security_monthly or ZERO) * 12
    pension = r.pension_monthly * 12
    indexed = pension if r.pension_indexed else ZERO
    need = tuple(
        max(ZERO, spend - indexed - (social if r.age + k >= r.social_security_age else ZERO))
        for k in range(years)
    )
    return Plan(need, ZERO if r.pension_indexed else pension)


def full_retirement_age(p: Profile, law: YearParameters) -> FullRetirementAge | None:
    """Social Security's full retirement age (42 U.S.C. 416(l)); born Jan 1: the year before."""
    born = p.birth_year
    if p.birth_date is not None and (p.birth_date.month, p.birth_date.day) == (1, 1):
        born -= 1
    for row in law.get("social_security_full_retirement_age"):
        if row["born_from"] <= born <= row["born_to"]:
            return FullRetirementAge(years=int(row["age"]), months=int(row["months"]))
    return None


def conversion_room(
    p: Profile, pretax: Decimal, law: YearParameters
) -> tuple[Decimal, Decimal, Decimal] | None:
    """The conversion filling this year's bracket (at most the pre-tax money), its tax, rate."""
    taxable = taxable_income(p, p.income, p.year, law)
    rate, ceiling = bracket_at(taxable, p.filing_status, law)
    if ceiling is None:
        return None
    low, high = ZERO, max(ZERO, ceiling - taxable)
    if taxable_income(p, p.income + high, p.year, law) > ceiling:  # a deduction phasing out
        while high - low > CENT:
            mid = ((low + high) / 2).quantize(CENT)
            if taxable_income(p, p.income + mid, p.year, law) <= ceiling:
                low = mid
            else:
                high = mid
        high = low
    room = min(high, pretax)
    age, spouse = p.deduction_age(p.year), p.spouse_deduction_age(p.year)
    tax = tax_on_income(p.income + room, p.filing_status, age, law, spouse) - tax_on_income(
        p.income, p.filing_status, age, law, spouse
    )
    return room, tax, rate


def retirement(
    p: Profile,
    sv: SavingOut,
    employer: Decimal,
    rm: RmdOut,
    law: YearParameters,
    t: Trace,
) -> RetirementOut | None:
    """The retirement section, present when `retirement.age` is given."""
    r = p.retirement
    if r.age is None:
        return None
    now = p.age_at_year_end
    pretax = p.balances.pretax + employer + p.other_ira_pretax
    total = pretax + p.balances.roth
    notes: list[str] = []
    t.add("retirement.age", r.age, "retirement.age")
    if r.age <= now:
        start, basis = total, "today"
        t.add(
            "retirement.start_balance",
            start,
            f"pretax {t.usd(p.balances.pretax)} + Roth {t.usd(p.balances.roth)} + vested employer "
            f"{t.usd(employer)} + other IRAs {t.usd(p.other_ira_pretax)}",
        )
    else:
        proj = projection(p, total, sv.yearly_contributions, r.age)
        start, basis = proj.today_dollars, "projected"
        t.add(
            "retirement.start_balance",
            start,
            f"{t.usd(total)} plus {t.usd(sv.yearly_contributions)} a year for {proj.years} years "
            f"at {num(p.assumptions.annual_return_percent)}%, in today's dollars "
            f"(/ (1 + {num(proj.inflation * HUNDRED)}%)^{proj.years})",
            ASSUMED_RETURN,
            ASSUMED_INFLATION,
        )
    guaranteed = (r.social_security_monthly or ZERO) + r.pension_monthly
    t.add(
        "retirement.guaranteed_monthly",
        guaranteed,
        f"Social Security {t.usd(r.social_security_monthly or ZERO)} (from age "
        f"{r.social_security_age}) + pension {t.usd(r.pension_monthly)}"
        + (" (indexed)" if r.pension_indexed else " (fixed in dollars)"),
    )
    gap = before_ss = None
    if r.spending_monthly is not None:
        gap = max(ZERO, r.spending_monthly - guaranteed)
        t.add(
            "retirement.income_gap_monthly",
            gap,
            f"spending {t.usd(r.spending_monthly)} - guaranteed {t.usd(guaranteed)}, at least 0",
        )
        if r.social_security_monthly and r.social_security_age > r.age:
            before_ss = max(ZERO, r.spending_monthly - r.pension_monthly)
            t.add(
                "retirement.income_gap_monthly_before_social_security",
                before_ss,
                f"ages {r.age}-{r.social_security_age - 1}: spending {t.usd(r.spending_monthly)} "
                f"- pension {t.usd(r.pension_monthly)}",
            )
    covered = essential_gap = premium = None
    if r.essential_monthly is not None:
        covered = (
            HUNDRED
            if r.essential_monthly == 0
            else min(HUNDRED, guaranteed / r.essential_monthly * HUNDRED).quantize(CENT)
        )
        essential_gap = max(ZERO, r.essential_monthly - guaranteed)
        t.add(
            "retirement.covered_by_guaranteed_percent",
            covered,
            f"guaranteed {t.usd(guaranteed)} / essentials {t.usd(r.essential_monthly)}, "
            "at most 100",
        )
        t.add(
            "retirement.essential_gap_monthly",
            essential_gap,
            f"essentials {t.usd(r.essential_monthly)} - guaranteed {t.usd(guaranteed)}, at least 0",
        )
        if r.annuity_payout_percent is not None:
            premium = essential_gap * 12 / pct(r.annuity_payout_percent)
            t.add(
                "retirement.annuity_premium_for_gap",
                premium,
                f"{t.usd(essential_gap)} x 12 / your quoted payout {num(r.annuity_payout_percent)}%"
                " (a payout fixed in dollars loses value with prices unless the quote is indexed)",
            )
    stock = r.stock_percent
    if stock is None:
        stock = stock_percent_rule(110, r.age)
        notes.append("stock_percent_from_110_rule")
    years = r.plan_to_age - r.age
    hist = seq = None
    if r.spending_monthly is not None and years <= len(history.YEARS):
        need = plan(p, years)
        hist, seq = historical(p, start, need, years, stock, t)
    first_year, amount, tax = first_rmd(p, pretax, total, sv, rm, law, t)
    conv = conversion_room(p, pretax, law)
    ss_year = p.year + r.social_security_age - now if r.social_security_monthly else None
    from_year = p.year + max(0, r.age - now)
    until = min(first_year, ss_year) if ss_year is not None else first_year
    conv_years = max(0, until - from_year)
    if conv is None:
        t.add("retirement.roth_conversion_room", "none", "already in the top bracket")
    else:
        t.add(
            "retirement.roth_conversion_room",
            conv[0],
            f"fills this year's {num(conv[2] * HUNDRED)}% bracket from taxable income "
            f"{t.usd(taxable_income(p, p.income, p.year, law))}, at most the pre-tax money "
            f"{t.usd(pretax)}; {conv_years} year(s) from {from_year} before "
            + ("Social Security or " if ss_year is not None else "")
            + f"RMDs ({first_year})",
            "tax_brackets",
            "standard_deduction",
        )
        t.add(
            "retirement.roth_conversion_tax_now",
            conv[1],
            f"federal tax on {t.usd(p.income + conv[0])} minus on {t.usd(p.income)}",
            "tax_brackets",
            "standard_deduction",
        )
    t.add(
        "retirement.rmd_first_year",
        first_year,
        "this year (RMDs have started)" if rm.required_now else "rmd.first_year",
        "rmd_start_age",
    )
    t.add("retirement.roth_conversion_years", conv_years, f"from {from_year} to {until}")
    if conv is not None:
        t.add(
            "retirement.roth_conversion_bracket_percent",
            conv[2] * HUNDRED,
            "the bracket of this year's taxable income",
            "tax_brackets",
        )
    fra = full_retirement_age(p, law)
    t.add(
        "retirement.full_retirement_age",
        "not covered" if fra is None else f"{fra.years} years {fra.months} months",
        f"born {p.birth_year}"
        + (
            " on January 1 (counts as the year before)"
            if fra and p.birth_date and (p.birth_date.month, p.birth_date.day) == (1, 1)
            else ""
        ),
        "social_security_full_retirement_age",
    )
    if fra is not None:
        for part in ("years", "months"):
            t.add(
                f"retirement.full_retirement_age.{part}",
                getattr(fra, part),
                f"born {p.birth_year}",
                "social_security_full_retirement_age",
            )
    if r.social_security_monthly:
        notes.append("social_security_taxable_part_not_counted")
    return RetirementOut(
        age=r.age,
        start_balance=start,
        start_balance_basis=basis,
        guaranteed_monthly=guaranteed,
        income_gap_monthly=gap,
        income_gap_monthly_before_social_security=before_ss,
        covered_by_guaranteed_percent=covered,
        essential_gap_monthly=essential_gap,
        historical=hist,
        sequence=seq,
        annuity_premium_for_gap=premium,
        rmd_first_year=first_year,
        rmd_first_year_amount=amount,
        rmd_first_year_tax=tax,
        roth_conversion_room=None if conv is None else conv[0],
        roth_conversion_tax_now=None if conv is None else conv[1],
        roth_conversion_bracket_percent=None if conv is None else conv[2] * HUNDRED,
        roth_conversion_years=conv_years,
        full_retirement_age=fra,
        conventions=CONVENTIONS,
        notes=notes,
    )


def historical(
    p: Profile, start: Decimal, need: Plan, years: int, stock: Decimal, t: Trace
) -> tuple[HistoricalOut, SequenceOut]:
    """Every start year with a full horizon, and the worst one's returns in two orders."""
    r = p.retirement
    assert r.age is not None
    share = pct(stock)
    found = history.cohorts(start, need.need, need.nominal_pension, share)
    lasted = sum(1 for c in found if c.lasted)
    rate = (Decimal(lasted) / len(found)).quantize(Decimal("0.000001"))
    bad = history.worst(found)
    ran_out = None if bad.lasted else r.age + bad.years_paid
    mid = history.median([c.end_real for c in found])
    first, last = found[0].start_year, found[-1].start_year
    src = (history.SOURCE,)
    how = f"{years} withdrawals (ages {r.age}-{r.plan_to_age - 1}) at {num(stock)}% stocks"
    t.add(
        "retirement.historical.success_rate",
        rate,
        f"{lasted} of {len(found)} start years {first}-{last} lasted: {how}; "
        + history.CONVENTIONS,
        *src,
    )
    t.add("retirement.historical.cohorts", len(found), f"start years {first}-{last}", *src)
    t.add(
        "retirement.historical.need_real",
        sum(need.need, ZERO),
        f"{years} yearly amounts: spending less Social Security (from age "
        f"{r.social_security_age}) and an indexed pension, today's dollars (this is their sum)",
        "your answers",
    )
    t.add(
        "retirement.historical.fixed_pension",
        need.nominal_pension,
        "a pension fixed in dollars, yearly (it buys less each year)",
        "your answers",
    )
    t.add("retirement.historical.lasted", lasted, f"of {len(found)}", *src)
    t.add("retirement.historical.years", years, f"{r.plan_to_age} - {r.age}", *src)
    t.add("retirement.historical.stock_percent", stock, "rebalanced every year", *src)
    t.add("retirement.historical.first_year", first, "the first start year in the data", *src)
    t.add(
        "retirement.historical.last_year",
        last,
        f"the last start year with {years} years of data",
        *src,
    )
    t.add(
        "retirement.historical.worst_start_year",
        bad.start_year,
        (f"ran out soonest: {bad.years_paid} years paid" if not bad.lasted else "lowest end"),
        *src,
    )
    t.add(
        "retirement.historical.worst_shortfall_age",
        "none" if ran_out is None else ran_out,
        "never ran out" if ran_out is None else f"{r.age} + {bad.years_paid} years paid",
        *src,
    )
    t.add(
        "retirement.historical.median_end_real",
        mid,
        f"the middle of {len(found)} real end balances (0 where the money ran out), "
        "today's dollars",
        *src,
    )
    pairs = history.window(bad.start_year, years, share)
    good_first = sorted(pairs, key=lambda x: x[0], reverse=True)
    bad_first = sorted(pairs, key=lambda x: x[0])
    a_paid, a_end = history.reordered_end(good_first, start, need.need, need.nominal_pension)
    b_paid, b_end = history.reordered_end(bad_first, start, need.need, need.nominal_pension)
    window = f"{bad.start_year}-{bad.start_year + years - 1}"
    t.add(
        "retirement.sequence.same_returns_order_a_end",
        a_end,
        f"the real returns of {window}, best year first",
        *src,
    )
    t.add(
        "retirement.sequence.same_returns_order_b_end",
        b_end,
        "the same returns, worst year first",
        *src,
    )
    a_out = None if a_paid == years else r.age + a_paid
    b_out = None if b_paid == years else r.age + b_paid
    t.add("retirement.sequence.first_year", bad.start_year, "the worst start year", *src)
    t.add("retirement.sequence.last_year", bad.start_year + years - 1, "its last year", *src)
    for order, out, paid in (("a", a_out, a_paid), ("b", b_out, b_paid)):
        t.add(
            f"retirement.sequence.order_{order}_ran_out_age",
            "none" if out is None else out,
            "never ran out" if out is None else f"{r.age} + {paid} years paid",
            *src,
        )
    return (
        HistoricalOut(
            years=years,
            stock_percent=stock,
            first_year=first,
            last_year=last,
            cohorts=len(found),
            lasted=lasted,
            success_rate=rate,
            failed_start_years=[c.start_year for c in found if not c.lasted],
            worst_start_year=bad.start_year,
            worst_shortfall_age=ran_out,
            median_end_real=mid,
            need_real=list(need.need),
            fixed_pension=need.nominal_pension,
        ),
        SequenceOut(
            first_year=bad.start_year,
            last_year=bad.start_year + years - 1,
            same_returns_order_a_end=a_end,
            same_returns_order_b_end=b_end,
            order_a_ran_out_age=a_out,
            order_b_ran_out_age=b_out,
        ),
    )


def first_rmd(
    p: Profile,
    pretax: Decimal,
    total: Decimal,
    sv: SavingOut,
    rm: RmdOut,
    law: YearParameters,
    t: Trace,
) -> tuple[int, Decimal | None, Decimal | None]:
    """The first RMD in today's dollars and the federal tax it adds (IRC 401(a)(9)).

    Already due: this year's RMD. Otherwise the balance is projected at the assumed return with
    contributions until retirement and the portfolio's withdrawals after, the pre-tax share kept
    as today's, to the Dec 31 before the first RMD year, then divided by the Uniform Lifetime
    factor; the tax is stacked on the pension in today's dollars with this year's brackets.
    """
    r = p.retirement
    assert r.age is not None
    now = p.age_at_year_end
    if rm.required_now:
        year, amount, n = p.year, rm.amount, 0
        how = "this year's RMD (rmd.amount)"
    else:
        year = rm.first_year
        n = year - p.year
        rate = pct(p.assumptions.annual_return_percent)
        inflation = history.mean_inflation()
        needs = plan(p, max(0, now + n - r.age)) if r.spending_monthly is not None else None
        b = total
        for k in range(n):
            age = now + k
            if age < r.age:
                b = b * (ONE + rate) + sv.yearly_contributions
            else:
                w = ZERO
                if needs is not None:
                    w = needs.need[age - r.age] * (ONE + inflation) ** k - needs.nominal_pension
                b = max(ZERO, b - max(ZERO, w)) * (ONE + rate)
        factor = uniform_factor(now + n, law)
        if factor is None or total == 0:
            return year, None, None
        amount = b * (pretax / total) / factor / (ONE + inflation) ** n
        how = (
            f"pre-tax share {t.usd(pretax)} / {t.usd(total)} of the balance projected to Dec 31 "
            f"{year - 1} at {num(p.assumptions.annual_return_percent)}%"
            + (" less the portfolio's withdrawals" if needs is not None else " (nothing taken out)")
            + f", / {num(factor)} (age {now + n}), in today's dollars"
        )
    pension = r.pension_monthly * 12
    if not r.pension_indexed and n:
        pension = pension / (ONE + history.mean_inflation()) ** n
    age, spouse = p.deduction_age(year), p.spouse_deduction_age(year)
    tax = tax_on_income(pension + amount, p.filing_status, age, law, spouse) - tax_on_income(
        pension, p.filing_status, age, law, spouse
    )
    t.add(
        "retirement.rmd_first_year_amount",
        amount,
        how,
        "uniform_lifetime_table",
        "rmd_start_age",
        ASSUMED_RETURN,
    )
    t.add(
        "retirement.rmd_first_year_tax",
        tax,
        f"federal tax on pension {t.usd(pension)} + RMD {t.usd(amount)} minus on the pension "
        f"alone, at age {age}, this year's brackets (today's dollars)",
        "tax_brackets",
        "standard_deduction",
    )
    return year, amount, tax
