"""Employer stock taken out in kind (IRC 402(e)(4)): net unrealized appreciation vs an IRA.

The plan's cost basis is ordinary income now (with the 10% unless an exception applies); the
NUA is long-term capital gain when sold, stacked on top of ordinary taxable income (IRC 1(h)).
Rolled to an IRA, all of it is ordinary income when taken out. Figures are increases over the
year's income; the NUA is not net investment income (Form 8960 instructions, line 5b).
"""

from __future__ import annotations

from decimal import Decimal

from engine.money import ZERO, num
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import Nua
from engine.rules.job_change import payout_trace, payout_year
from engine.rules.tax import standard_deduction, tax_on_distribution
from engine.trace import Trace


def capital_gain_tax(
    ordinary_taxable: Decimal, gain: Decimal, brackets: list[list[Decimal]]
) -> Decimal:
    """Tax on a long-term gain stacked on ordinary taxable income (IRC 1(h)(1))."""
    tax = ZERO
    top = ordinary_taxable + gain
    for i, (floor, rate) in enumerate(brackets):
        ceiling = brackets[i + 1][0] if i + 1 < len(brackets) else None
        low = max(floor, ordinary_taxable)
        high = top if ceiling is None else min(top, ceiling)
        if high > low:
            tax += (high - low) * rate
    return tax


def nua(p: Profile, penalty_rate: Decimal, law: YearParameters, t: Trace) -> Nua | None:
    """The NUA route against rolling the shares to an IRA, when leaving with employer stock."""
    stock = p.job_change.employer_stock
    if not p.job_change.leaving or stock.market_value is None or stock.cost_basis is None:
        return None
    basis = min(stock.cost_basis, stock.market_value)
    gain = stock.market_value - basis
    # Taxed in the year of the payout, under its rules (job_change.payout_tax_year).
    when = payout_year(p, law)
    if when.law is not law:
        t = payout_trace(when.law, t)
    law, status, year = when.law, p.filing_status, when.paid
    age, spouse = p.deduction_age(year), p.spouse_deduction_age(year)
    tax_now = tax_on_distribution(p.income, basis, status, age, law, None, spouse)
    penalty = penalty_rate * basis
    income = p.income + basis
    deduction = standard_deduction(status, age, law, income + gain, spouse)
    ordinary_taxable = max(ZERO, income - deduction)
    ltcg = capital_gain_tax(ordinary_taxable, gain, law.get("capital_gain_brackets")[status])
    ira = tax_on_distribution(p.income, stock.market_value, status, age, law, None, spouse)
    out = Nua(
        ordinary_income_now=basis,
        tax_now=tax_now,
        penalty_now=penalty,
        nua_amount=gain,
        ltcg_tax_if_sold=ltcg,
        total_tax_nua_route=tax_now + penalty + ltcg,
        total_tax_ira_route=ira,
    )
    f = "job_change.nua."
    t.add(f + "ordinary_income_now", basis, "the plan's cost basis of the shares", "IRC 402(e)(4)")
    t.add(
        f + "tax_now",
        tax_now,
        f"tax on income {t.usd(p.income)} + basis {t.usd(basis)} minus tax on {t.usd(p.income)}",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(
        f + "penalty_now",
        penalty,
        f"{num(penalty_rate * 100)}% x basis {t.usd(basis)}",
        "early_withdrawal_rate",
    )
    t.add(
        f + "nua_amount",
        gain,
        f"market value {t.usd(stock.market_value)} - basis {t.usd(basis)}",
        "IRC 402(e)(4)(B)",
    )
    t.add(
        f + "ltcg_tax_if_sold",
        ltcg,
        f"long-term gain {t.usd(gain)} on top of ordinary taxable income {t.usd(ordinary_taxable)}",
        "capital_gain_brackets",
        "Notice 98-24",
    )
    t.add(
        f + "total_tax_nua_route",
        out.total_tax_nua_route,
        f"{t.usd(tax_now)} + {t.usd(penalty)} + {t.usd(ltcg)}",
    )
    t.add(
        f + "total_tax_ira_route",
        ira,
        f"tax on income {t.usd(p.income)} + {t.usd(stock.market_value)} minus tax on "
        f"{t.usd(p.income)} (all ordinary income when taken out later, with no additional tax)",
        "tax_brackets",
        "standard_deduction",
    )
    return out
