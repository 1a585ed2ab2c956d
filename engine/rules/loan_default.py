"""A missed loan payment: the cure period, then a deemed distribution (Treas. Reg. 1.72(p)-1)."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from engine import parameters as P
from engine.money import ZERO, cents, num, pct, usd
from engine.profile import Profile
from engine.rules import exceptions_72t as X
from engine.rules.tax import tax_on_distribution
from engine.trace import Trace


def latest_cure_date(due: date, quarters: int) -> date:
    """Last day of the calendar quarter `quarters` after the one the payment was due in."""
    q = (due.month - 1) // 3 + quarters
    year = due.year + q // 4
    last_month = (q % 4) * 3 + 3
    return date(year, last_month, calendar.monthrange(year, last_month)[1])


def loan_default(p: Profile, exception: str | None, t: Trace) -> dict[str, Any] | None:
    """The loan.default section (null without loan.missed_payment_due or an unpaid loan)."""
    due = p.loan.missed_payment_due
    owed = p.loan.outstanding
    if due is None or owed <= 0:
        return None
    quarters = int(P.amount("loan_cure_quarters", p.year))
    cure = latest_cure_date(due, quarters)
    year = X.clamp_year(cure.year)
    leaving = p.job_change.leaving
    free = exception is not None if leaving else X.reached_59_half_on(p, cure)
    law = X.law_of(year)
    age, spouse = p.deduction_age(cure.year), p.spouse_deduction_age(cure.year)
    fed = cents(tax_on_distribution(p.income, owed, p.filing_status, age, law, None, spouse))
    state = cents(pct(p.state_tax_percent) * owed)
    rate = P.amount("early_withdrawal_rate", year)
    pen = ZERO if free else cents(rate * owed)
    treatment = "qualified_plan_loan_offset" if leaving else "deemed_distribution"
    f = "loan.default."
    t.add(
        f + "latest_cure_date",
        cure,
        f"payment due {due}: cure by the last day of the next calendar quarter, {cure}",
        "loan_cure_quarters",
    )
    t.add(
        f + "amount",
        owed,
        f"the whole unpaid balance {usd(owed)} (with accrued interest) becomes "
        + (
            "a loan offset when you leave: it can be rolled over"
            if leaving
            else "a deemed distribution: taxable, not rollable, and still owed to the plan"
        ),
        "Treas. Reg. 1.72(p)-1 Q&A-10(b)",
        "IRC 402(c)(3)(C)",
    )
    t.add(
        f + "federal_tax",
        fed,
        f"tax on income {usd(p.income)} + {usd(owed)} minus tax on {usd(p.income)} ({year} rules)",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(f + "state_tax", state, f"{num(p.state_tax_percent)}% x {usd(owed)}")
    t.add(
        f + "penalty",
        pen,
        "no 10%: an exception applies" if free else f"{num(rate * 100)}% x {usd(owed)}",
        "early_withdrawal_rate",
    )
    return {
        "missed_payment_due": due,
        "latest_cure_date": cure,
        "treatment": treatment,
        "eligible_for_rollover": leaving,
        "amount": owed,
        "federal_tax": fed,
        "state_tax": state,
        "penalty": pen,
        "loan_still_owed": not leaving,
    }
