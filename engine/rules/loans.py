"""Plan loans (IRC 72(p)): the maximum new loan, and the offset at separation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import ZERO, num, pct, usd
from engine.profile import Profile
from engine.rules.tax import tax_on_distribution
from engine.trace import Trace


def loan_dollar_limit(highest_12_months: Decimal, year: int) -> Decimal:
    """$50,000 less the highest loan balance of the prior 12 months (IRC 72(p)(2)(A)(i))."""
    return P.amount("loan_dollar_cap", year) - highest_12_months


def loan_vested_limit(vested: Decimal, outstanding: Decimal, floor: bool, year: int) -> Decimal:
    """Greater of 50% of vested or the optional $10,000, less the balance owed (72(p)(2)(A)(ii))."""
    half = P.amount("loan_vested_share", year) * vested
    if floor:
        half = max(half, P.amount("loan_floor", year))
    return half - outstanding


def max_new_loan(dollar_limit: Decimal, vested_limit: Decimal) -> Decimal:
    """The lesser of the two limits, never below zero."""
    return max(ZERO, min(dollar_limit, vested_limit))


def offset_deadlines(separation: date) -> tuple[date | None, date | None]:
    """Rollover deadline of a loan offset: the offset year's return due date (402(c)(3)(C))."""
    year = separation.year
    if year not in P.SUPPORTED_YEARS:
        return None, None
    return P.day("return_due_date", year), P.day("return_due_date_extended", year)


def loans(p: Profile, portable: Decimal, penalty: bool, t: Trace) -> dict[str, Any]:
    """The loan section: the most that may be borrowed now, and the offset if leaving."""
    y = p.year
    owed = p.loan.outstanding
    highest = p.loan.highest_last_12_months if p.loan.highest_last_12_months is not None else owed
    vested = portable + owed
    dollar = loan_dollar_limit(highest, y)
    vested_lim = loan_vested_limit(vested, owed, p.plan.loan_floor_10k, y)
    best = max_new_loan(dollar, vested_lim)
    cap = P.amount("loan_dollar_cap", y)
    t.add(
        "loan.limit_dollar",
        dollar,
        f"{usd(cap)} - highest balance of the last 12 months {usd(highest)}",
        "loan_dollar_cap",
    )
    floor_txt = (
        f" (or the plan's {usd(P.amount('loan_floor', y))} floor)" if p.plan.loan_floor_10k else ""
    )
    t.add(
        "loan.limit_vested",
        vested_lim,
        f"{num(P.amount('loan_vested_share', y) * 100)}% x vested {usd(vested)} (incl. the loan)"
        f"{floor_txt} - owed {usd(owed)}",
        "loan_vested_share",
        "loan_floor",
    )
    t.add(
        "loan.max_new_loan",
        best,
        f"lesser of {usd(dollar)} and {usd(vested_lim)}, not below $0",
        "loan_dollar_cap",
        "loan_vested_share",
    )
    t.add("loan.outstanding", owed, "as you told us")
    term = P.amount("loan_term_years", y)
    t.add(
        "loan.repayment_term_years",
        term,
        f"repay within {num(term)} years (home: longer)",
        "loan_term_years",
    )
    offset = None
    if p.job_change.leaving and owed > 0:
        due, extended = offset_deadlines(p.separation)
        fed = tax_on_distribution(p.income, owed, p.filing_status, p.age_at_year_end, y)
        state = pct(p.state_tax_percent) * owed
        pen = P.amount("early_withdrawal_rate", y) * owed if penalty else ZERO
        offset = {
            "amount": owed,
            "rollover_deadline": due,
            "rollover_deadline_extended": extended,
            "federal_tax_if_not_rolled": fed,
            "state_tax_if_not_rolled": state,
            "penalty_if_not_rolled": pen,
        }
        t.add(
            "loan.offset.amount",
            owed,
            f"the unpaid loan {usd(owed)} is taken from the account when you leave "
            f"(a qualified plan loan offset; roll it over by {due}, or {extended} with an "
            "extension, by paying that amount into an IRA or new plan)",
            "IRC 402(c)(3)(C)",
            "return_due_date",
            "return_due_date_extended",
        )
        t.add(
            "loan.offset.federal_tax_if_not_rolled",
            fed,
            f"tax on income {usd(p.income)} + {usd(owed)} minus tax on {usd(p.income)}",
            "tax_brackets",
            "standard_deduction",
        )
        t.add(
            "loan.offset.state_tax_if_not_rolled",
            state,
            f"{num(p.state_tax_percent)}% x {usd(owed)}",
            "state income tax rate you gave",
        )
        t.add(
            "loan.offset.penalty_if_not_rolled",
            pen,
            f"{num(P.amount('early_withdrawal_rate', y) * 100)}% x {usd(owed)}"
            if penalty
            else "no additional tax: an exception applies",
            "early_withdrawal_rate",
        )
    return {
        "max_new_loan": best,
        "limit_dollar": dollar,
        "limit_vested": vested_lim,
        "outstanding": owed,
        "repayment_term_years": term,
        "offset": offset,
    }
