"""Plan loans (IRC 72(p)): the maximum new loan, and the offset at separation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import ZERO, num, pct
from engine.parameters import ParameterSet, YearParameters
from engine.profile import Profile
from engine.report import LoanOffset, LoanOut
from engine.rules.due_dates import extended_due_date, return_due_date
from engine.rules.job_change import payout_trace, payout_year, payout_year_note
from engine.rules.tax import tax_on_distribution
from engine.trace import Trace


def loan_dollar_limit(highest_12_months: Decimal, law: YearParameters) -> Decimal:
    """The dollar cap less the highest loan balance of the prior 12 months (IRC 72(p)(2)(A)(i))."""
    return law.amount("loan_dollar_cap") - highest_12_months


def loan_vested_limit(
    vested: Decimal, outstanding: Decimal, floor: bool, law: YearParameters
) -> Decimal:
    """Greater of a share of vested or the optional floor, less what is owed (72(p)(2)(A)(ii))."""
    half = law.amount("loan_vested_share") * vested
    if floor:
        half = max(half, law.amount("loan_floor"))
    return half - outstanding


def max_new_loan(dollar_limit: Decimal, vested_limit: Decimal) -> Decimal:
    """The lesser of the two limits, never below zero."""
    return max(ZERO, min(dollar_limit, vested_limit))


def offset_deadlines(separation: date, parameters: ParameterSet) -> tuple[date, date]:
    """Rollover deadline of a loan offset: the offset year's return due date (402(c)(3)(C)).

    From the data when the year is covered, else from the rule (engine/rules/due_dates.py).
    """
    if not parameters.covers(separation.year):
        return return_due_date(separation.year), extended_due_date(separation.year)
    offset_year = parameters.of_year(separation.year)
    return offset_year.day("return_due_date"), offset_year.day("return_due_date_extended")


def loans(
    p: Profile, portable: Decimal, penalty: bool, tax_now: Decimal, law: YearParameters, t: Trace
) -> LoanOut:
    """The loan section: the most that may be borrowed now, and the offset if leaving."""
    owed = p.loan.outstanding
    highest = p.loan.highest_last_12_months if p.loan.highest_last_12_months is not None else owed
    vested = portable + owed
    dollar = loan_dollar_limit(highest, law)
    vested_lim = loan_vested_limit(vested, owed, p.plan.loan_floor_10k, law)
    best = max_new_loan(dollar, vested_lim)
    cap = law.amount("loan_dollar_cap")
    t.add(
        "loan.limit_dollar",
        dollar,
        f"{t.usd(cap)} - highest balance of the last 12 months {t.usd(highest)}",
        "loan_dollar_cap",
    )
    floor_txt = (
        f" (or the plan's {t.usd(law.amount('loan_floor'))} floor)" if p.plan.loan_floor_10k else ""
    )
    t.add(
        "loan.limit_vested",
        vested_lim,
        f"{num(law.amount('loan_vested_share') * 100)}% x vested {t.usd(vested)} (incl. the loan)"
        f"{floor_txt} - owed {t.usd(owed)}",
        "loan_vested_share",
        "loan_floor",
    )
    t.add(
        "loan.max_new_loan",
        best,
        f"lesser of {t.usd(dollar)} and {t.usd(vested_lim)}, not below $0",
        "loan_dollar_cap",
        "loan_vested_share",
    )
    t.add("loan.outstanding", owed, "as you told us")
    term = law.amount("loan_term_years")
    t.add(
        "loan.repayment_term_years",
        term,
        f"repay within {num(term)} years (home: longer)",
        "loan_term_years",
    )
    offset = None
    if p.job_change.leaving and owed > 0:
        due, extended = offset_deadlines(p.separation, law.parameters)
        # Taxed in the year of the payout, under its rules (job_change.payout_tax_year).
        when = payout_year(p, law)
        paid = when.law
        fed = tax_on_distribution(
            p.income,
            owed,
            p.filing_status,
            p.deduction_age(when.paid),
            paid,
            tax_now if when.paid == law.year else None,
            p.spouse_deduction_age(when.paid),
        )
        state = pct(p.state_tax_percent) * owed
        pen = paid.amount("early_withdrawal_rate") * owed if penalty else ZERO
        offset = LoanOffset(
            amount=owed,
            rollover_deadline=due,
            rollover_deadline_extended=extended,
            federal_tax_if_not_rolled=fed,
            state_tax_if_not_rolled=state,
            penalty_if_not_rolled=pen,
        )
        t.add(
            "loan.offset.amount",
            owed,
            f"the unpaid loan {t.usd(owed)} is taken from the account when you leave "
            f"(a qualified plan loan offset; roll it over by {due}, or {extended} with an "
            "extension, by paying that amount into an IRA or new plan)",
            "IRC 402(c)(3)(C)",
            "return_due_date",
            "return_due_date_extended",
            "IRC 6072(a), 6081, 7503",
        )
        pt = t if paid is law else payout_trace(paid, t)
        pt.add(
            "loan.offset.federal_tax_if_not_rolled",
            fed,
            f"tax on income {t.usd(p.income)} + {t.usd(owed)} minus tax on {t.usd(p.income)}"
            f"{payout_year_note(p, when, t)}",
            "tax_brackets",
            "standard_deduction",
        )
        t.add(
            "loan.offset.state_tax_if_not_rolled",
            state,
            f"{num(p.state_tax_percent)}% x {t.usd(owed)}",
            "state income tax rate you gave",
        )
        t.add(
            "loan.offset.penalty_if_not_rolled",
            pen,
            f"{num(law.amount('early_withdrawal_rate') * 100)}% x {t.usd(owed)}"
            if penalty
            else "no additional tax: an exception applies",
            "early_withdrawal_rate",
        )
    return LoanOut(
        max_new_loan=best,
        limit_dollar=dollar,
        limit_vested=vested_lim,
        outstanding=owed,
        repayment_term_years=term,
        offset=offset,
    )
