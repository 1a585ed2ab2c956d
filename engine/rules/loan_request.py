"""A new plan loan: allowed or why not, the level payment, its cost, and the job-loss table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import ONE, ZERO, cents, num, pct, usd
from engine.profile import Profile
from engine.rules import exceptions_72t as X
from engine.rules.dates import add_months
from engine.rules.loans import offset_deadlines
from engine.rules.tax import tax_on_distribution
from engine.trace import Trace

# Months after the loan starts at which the job-loss table shows the unpaid balance.
JOB_LOST_MONTHS = (6, 12, 24, 36, 48)


def level_payment(principal: Decimal, periodic_rate: Decimal, n: int) -> Decimal:
    """Level annuity-immediate payment P r / (1 - (1+r)^-n), half-up to cents (72(p)(2)(C))."""
    if periodic_rate == 0:
        return cents(principal / n)
    return cents(principal * periodic_rate / (ONE - (ONE + periodic_rate) ** -n))


def balance_after(principal: Decimal, periodic_rate: Decimal, payment: Decimal, k: int) -> Decimal:
    """Unpaid principal after k payments: P(1+r)^k - PMT((1+r)^k - 1)/r, closed form, to cents."""
    if periodic_rate == 0:
        return cents(max(ZERO, principal - payment * k))
    grown = (ONE + periodic_rate) ** k
    return cents(max(ZERO, principal * grown - payment * (grown - ONE) / periodic_rate))


def lost_growth(
    principal: Decimal, payment: Decimal, n: int, return_rate: Decimal, per_year: int
) -> Decimal:
    """Account value short at payoff: P(1+g)^n - PMT((1+g)^n - 1)/g at the assumed return g."""
    g = return_rate / per_year
    if g == 0:
        return cents(principal - payment * n)
    grown = (ONE + g) ** n
    return cents(principal * grown - payment * (grown - ONE) / g)


def payments_in(months: int, per_year: int) -> int:
    """Payments made in the first `months` months (whole pay periods only)."""
    return months * per_year // 12


def why_not_codes(p: Profile, max_new: Decimal) -> list[str]:
    """Every reason the loan cannot be made as asked (IRC 72(p)(2))."""
    r = p.loan.request
    y = p.year
    out: list[str] = []
    if r.amount is not None and r.amount > max_new:
        out.append("over_max_new_loan")
    if r.purpose == "general" and r.years > P.amount("loan_term_years", y):
        out.append("term_over_5_years")
    if r.payments_per_year < P.amount("loan_min_payments_per_year", y):
        out.append("payments_less_often_than_quarterly")
    return out


def job_lost_row(
    p: Profile,
    start: date,
    months: int,
    principal: Decimal,
    periodic_rate: Decimal,
    payment: Decimal,
    t: Trace,
) -> dict[str, Any]:
    """The balance offset on leaving `months` after the start, and its cost if not rolled over."""
    r = p.loan.request
    leave = add_months(start, months)
    k = payments_in(months, r.payments_per_year)
    owed = balance_after(principal, periodic_rate, payment, k)
    year = X.clamp_year(leave.year)
    due, extended = offset_deadlines(leave, P.DEFAULT)
    extra = max(0, (leave.year - p.as_of.year) * 12 + leave.month - p.as_of.month)
    exc = X.separation_exception(p, leave, leave, extra)
    law = X.law_of(year)
    age, spouse = p.deduction_age(leave.year), p.spouse_deduction_age(leave.year)
    fed = cents(tax_on_distribution(p.income, owed, p.filing_status, age, law, None, spouse))
    state = cents(pct(p.state_tax_percent) * owed)
    pen = ZERO if exc else cents(P.amount("early_withdrawal_rate", year) * owed)
    f = f"loan.request.if_job_lost.{months}"
    t.add(
        f + ".balance",
        owed,
        f"after {k} payments of {usd(payment)}: {usd(principal)} x (1 + r)^{k} - "
        f"{usd(payment)} x ((1 + r)^{k} - 1) / r, r = {periodic_rate:.10f}",
        "IRC 72(p)(2)(C)",
    )
    t.add(
        f + ".rollover_deadline",
        due,
        f"offset on leaving {leave}: roll it over by {due} ({extended} with an extension)",
        "IRC 402(c)(3)(C)",
        "return_due_date",
        "return_due_date_extended",
        "IRC 6072(a), 6081, 7503",
    )
    t.add(
        f + ".federal_tax",
        fed,
        f"tax on income {usd(p.income)} + {usd(owed)} minus tax on {usd(p.income)} "
        f"({year} rules, age {age})",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(f + ".state_tax", state, f"{num(p.state_tax_percent)}% x {usd(owed)}")
    t.add(
        f + ".penalty",
        pen,
        f"no 10%: {exc} when leaving on {leave}"
        if exc
        else f"{num(P.amount('early_withdrawal_rate', year) * 100)}% x {usd(owed)} "
        f"(age {age} in {leave.year}, no exception)",
        "early_withdrawal_rate",
        "separation_age",
        "public_safety_separation_age",
    )
    return {
        "after_months": months,
        "leave_date": leave,
        "payments_made": k,
        "balance": owed,
        "rollover_deadline": due,
        "rollover_deadline_extended": extended,
        "tax_year_used": year,
        "exception": exc,
        "federal_tax": fed,
        "state_tax": state,
        "penalty": pen,
    }


def loan_request(p: Profile, max_new: Decimal, t: Trace) -> dict[str, Any] | None:
    """The loan.request section (null without loan.request.amount)."""
    r = p.loan.request
    if r.amount is None:
        return None
    amount = r.amount
    start = r.start_date or p.as_of
    n = int(r.years * r.payments_per_year)
    term_months = int(r.years * 12)
    payoff = add_months(start, term_months)
    problems = why_not_codes(p, max_new)
    notes: list[str] = ["lost_growth_is_an_assumption", "interest_goes_to_your_account"]
    shortfall = max(ZERO, amount - max_new)
    base: dict[str, Any] = {
        "amount": amount,
        "allowed": not problems,
        "why_not": problems[0] if problems else None,
        "problems": problems,
        "max_new_loan": max_new,
        "shortfall": shortfall,
        "purpose": r.purpose,
        "years": r.years,
        "annual_rate_percent": r.annual_rate_percent,
        "rate_given": r.annual_rate_percent is not None,
        "start_date": start,
        "payment": None,
        "payments_per_year": r.payments_per_year,
        "number_of_payments": n,
        "total_interest": None,
        "payoff_date": payoff,
        "lost_growth": None,
        "assumed_return_percent": p.assumptions.annual_return_percent,
        "if_job_lost": [],
        "notes": notes,
    }
    f = "loan.request."
    t.add(f + "amount", amount, "the amount you asked for")
    t.add(f + "years", r.years, f"the term you gave ({r.purpose})", "loan_term_years")
    t.add(f + "payments_per_year", r.payments_per_year, "your pay frequency")
    t.add(
        f + "annual_rate_percent",
        r.annual_rate_percent if r.annual_rate_percent is not None else "not given",
        "the plan's loan rate you gave"
        if r.annual_rate_percent is not None
        else "not given: the prime rate is not in the data, so the rate is needed",
        "DOL Reg. 2550.408b-1(e)",
    )
    t.add(
        f + "max_new_loan",
        max_new,
        "the most you can borrow now (loan.max_new_loan)",
        "loan_dollar_cap",
        "loan_vested_share",
    )
    t.add(
        f + "assumed_return_percent",
        p.assumptions.annual_return_percent,
        "assumed return for money left invested",
        "assumed return (not law)",
    )
    t.add(
        f + "allowed",
        not problems,
        "allowed" if not problems else "not allowed: " + ", ".join(problems),
        "loan_dollar_cap",
        "loan_vested_share",
        "loan_term_years",
        "loan_min_payments_per_year",
    )
    t.add(
        f + "shortfall",
        shortfall,
        f"asked {usd(amount)} - most you can borrow {usd(max_new)}, not below $0",
        "loan_dollar_cap",
        "loan_vested_share",
    )
    t.add(
        f + "number_of_payments",
        n,
        f"{num(r.years)} years x {r.payments_per_year} payments a year",
        "IRC 72(p)(2)(B)-(C)",
    )
    t.add(
        f + "payoff_date",
        payoff,
        f"start {start} + {term_months} months (the last payment)",
        "IRC 72(p)(2)(B)",
    )
    if r.annual_rate_percent is None:
        notes.insert(0, "loan_rate_required")
        return base
    rate = pct(r.annual_rate_percent)
    periodic = rate / r.payments_per_year
    payment = level_payment(amount, periodic, n)
    interest = payment * n - amount
    growth = lost_growth(
        amount, payment, n, pct(p.assumptions.annual_return_percent), r.payments_per_year
    )
    rows = [
        job_lost_row(p, start, m, amount, periodic, payment, t)
        for m in JOB_LOST_MONTHS
        if m < term_months
    ]
    t.add(
        f + "payment",
        payment,
        f"{usd(amount)} x r / (1 - (1 + r)^-{n}), r = {num(r.annual_rate_percent)}% / "
        f"{r.payments_per_year} = {periodic:.10f}; rounded half-up to cents",
        "IRC 72(p)(2)(C)",
        "plan loan rate you gave (DOL Reg. 2550.408b-1(e): a reasonable rate)",
    )
    t.add(
        f + "total_interest",
        interest,
        f"{n} x {usd(payment)} - {usd(amount)}; paid into your own account",
        "IRC 72(p)(3) (not deductible)",
    )
    g = p.assumptions.annual_return_percent
    t.add(
        f + "lost_growth",
        growth,
        f"assumption, not law: {usd(amount)} left invested at {num(g)}% a year "
        f"({num(g)}% / {r.payments_per_year} a period) for {n} periods, less your {n} "
        f"payments of {usd(payment)} invested at the same return as they are paid",
        "assumed return (not law)",
    )
    base.update(payment=payment, total_interest=interest, lost_growth=growth, if_job_lost=rows)
    return base
