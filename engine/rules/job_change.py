"""The job change: the five options side by side, the small-balance rule, one recommendation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import ONE, ZERO, num, pct, usd
from engine.profile import Profile
from engine.rules.tax import tax_on_distribution
from engine.rules.withdrawals import distribution_date
from engine.trace import Trace

# The separation-age rule a person keeps or loses: age 55, or 50 for public safety workers.
KEEPS = {
    "separation_age_55": "keeps_age_55_exception",
    "public_safety_age_50": "keeps_age_50_exception",
}
LOSES = {
    "separation_age_55": "loses_age_55_exception",
    "public_safety_age_50": "loses_age_50_exception",
}
IRA_LOSES = {
    "separation_age_55": "ira_rollover_loses_age_55",
    "public_safety_age_50": "ira_rollover_loses_age_50",
}

OPTION_IDS = (
    "leave_in_plan",
    "roll_to_new_plan",
    "direct_rollover_ira",
    "indirect_rollover",
    "cash_out",
)


def small_balance_rule(vested: Decimal, year: int) -> str:
    """What the plan may do without consent: <= $1,000 cash, <= $7,000 an IRA (411(a)(11))."""
    if vested <= P.amount("small_balance_cash_out_max", year):
        return "cash_out_allowed"
    if vested <= P.amount("force_out_limit", year):
        return "automatic_ira"
    return "consent_required"


def mandatory_withholding(taxable: Decimal, offset: Decimal, cash: Decimal, year: int) -> Decimal:
    """20% of the taxable payout including a loan offset, never more than the cash (3405(c))."""
    return min(P.amount("mandatory_withholding_rate", year) * (taxable + offset), cash)


def value_at_retirement(amount: Decimal, p: Profile) -> Decimal:
    """What stays invested, grown at the assumed return until retirement age."""
    years = max(0, p.assumptions.retirement_age - p.age_at_year_end)
    return amount * (ONE + pct(p.assumptions.annual_return_percent)) ** years


def job_change(
    p: Profile,
    portable: Decimal,
    roth_taxable: Decimal,
    exception: str | None,
    roth_restarts: bool,
    t: Trace,
) -> dict[str, Any]:
    """Every option's gross, withholding, taxes, penalty, net now and value at retirement."""
    y = p.year
    b = p.balances
    leaving = p.job_change.leaving
    offset = p.loan.outstanding if leaving else ZERO
    vested_law = portable + p.loan.outstanding
    rule = small_balance_rule(vested_law, y)
    taxable = portable - b.roth + roth_taxable
    when = distribution_date(p)
    status, age, income = p.filing_status, p.age_at_year_end, p.income
    rate = pct(p.state_tax_percent)
    penalty_rate = ZERO if exception else P.amount("early_withdrawal_rate", y)
    withholding = mandatory_withholding(taxable, offset, portable, y)
    w_pct = num(P.amount("mandatory_withholding_rate", y) * 100)
    e_pct = num(P.amount("early_withdrawal_rate", y) * 100)
    grown = value_at_retirement(portable, p)
    years = max(0, p.assumptions.retirement_age - age)
    growth_txt = (
        f"{usd(portable)} x (1 + {num(p.assumptions.annual_return_percent)}%)^{years} "
        f"(to age {p.assumptions.retirement_age})"
    )
    age55 = exception in ("separation_age_55", "public_safety_age_50")
    accepts = p.job_change.new_plan_accepts_rollovers

    def option(oid: str, **kw: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "id": oid,
            "available": True,
            "why_not": None,
            "gross": portable,
            "withholding": ZERO,
            "cash_at_payout": ZERO,
            "federal_tax": ZERO,
            "state_tax": ZERO,
            "penalty": ZERO,
            "net_now": portable,
            "value_at_retirement": grown,
            "deadline": None,
            "notes": [],
        }
        base.update(kw)
        if not leaving and oid != "leave_in_plan":
            base.update(available=False, why_not="still_employed")
        return base

    tag = exception or "separation_age_55"
    leave_notes = [KEEPS[tag]] if age55 else []
    leave = option("leave_in_plan", notes=leave_notes)
    if leaving and rule != "consent_required":
        leave.update(available=False, why_not="small_balance_force_out")

    new_plan_notes = [LOSES[tag]] if age55 else []
    if b.roth > 0:
        new_plan_notes.append("roth_years_carry_over")
    new_plan = option("roll_to_new_plan", notes=new_plan_notes, deadline=when)
    if leaving and accepts is not True:
        new_plan.update(
            available=False,
            why_not="new_plan_refuses_rollovers"
            if accepts is False
            else "new_plan_rollovers_unknown",
        )

    ira_notes = [LOSES[tag]] if age55 else []
    if roth_restarts:
        ira_notes.append("roth_ira_clock_restarts")
    ira = option("direct_rollover_ira", notes=ira_notes, deadline=when)

    # Indirect: paid to the person with 20% withheld; replace it within 60 days.
    days = int(P.amount("indirect_rollover_days", y))
    short_taxable = withholding * taxable / portable if portable > 0 else ZERO
    short_fed = tax_on_distribution(income, short_taxable, status, age, y)
    short_state = rate * short_taxable
    short_pen = penalty_rate * short_taxable
    indirect = option(
        "indirect_rollover",
        withholding=withholding,
        cash_at_payout=portable - withholding,
        deadline=when + timedelta(days=days),
        notes=["withholding_refunded_at_filing", *ira_notes],
        make_up_needed=withholding,
        if_not_made_up={
            "taxable": short_taxable,
            "federal_tax": short_fed,
            "state_tax": short_state,
            "penalty": short_pen,
        },
    )

    # Cash out: taxed now, stacked on this year's income.
    fed = tax_on_distribution(income, taxable, status, age, y)
    state = rate * taxable
    pen = penalty_rate * taxable
    cash_notes = ["withholding_is_prepayment"]
    if offset > 0:
        cash_notes.append("loan_offset_taxed_separately")
    if exception:
        cash_notes.append("no_penalty_" + exception)
    cash = option(
        "cash_out",
        withholding=withholding,
        cash_at_payout=portable - withholding,
        federal_tax=fed,
        state_tax=state,
        penalty=pen,
        net_now=portable - fed - state - pen,
        value_at_retirement=ZERO,
        notes=cash_notes,
    )
    options = [leave, new_plan, ira, indirect, cash]

    # Trace every option figure; the shared texts are formatted once.
    gross_txt = "vested balance: " + _portable_txt(p, portable)
    withheld_txt = (
        f"{w_pct}% x (taxable {usd(taxable)} + loan offset {usd(offset)}), at most the cash "
        f"{usd(portable)}"
    )
    fed_txt = (
        f"tax on income {usd(income)} + taxable {usd(taxable)} minus tax on {usd(income)} "
        f"({status}, {y} brackets and standard deduction)"
    )
    state_txt = f"{num(p.state_tax_percent)}% x taxable"
    pen_txt = f"{e_pct}% x {usd(taxable)}"
    untaxed_net = f"{usd(portable)} - $0 - $0 - $0"
    for o in options:
        f = f"job_change.options.{o['id']}"
        paid = bool(o["withholding"])
        taxed = bool(o["federal_tax"] or o["state_tax"] or o["penalty"])
        t.add(f + ".gross", o["gross"], gross_txt, "IRC 411(a)")
        t.add(
            f + ".withholding",
            o["withholding"],
            withheld_txt if paid else "no withholding: nothing is paid to you",
            "mandatory_withholding_rate",
            "Treas. Reg. 1.402(c)-2 Q&A-9",
        )
        t.add(
            f + ".cash_at_payout",
            o["cash_at_payout"],
            f"{usd(o['gross'])} - {usd(o['withholding'])}" if paid else "$0",
        )
        t.add(
            f + ".federal_tax",
            o["federal_tax"],
            fed_txt if o["federal_tax"] else "no tax now: the money stays tax-deferred",
            "tax_brackets",
            "standard_deduction",
        )
        t.add(f + ".state_tax", o["state_tax"], state_txt)
        t.add(
            f + ".penalty",
            o["penalty"],
            pen_txt if o["penalty"] else "no additional tax on early distributions",
            "early_withdrawal_rate",
        )
        t.add(
            f + ".net_now",
            o["net_now"],
            f"{usd(o['gross'])} - {usd(o['federal_tax'])} - {usd(o['state_tax'])} - "
            f"{usd(o['penalty'])}"
            if taxed
            else untaxed_net,
        )
        t.add(
            f + ".value_at_retirement",
            o["value_at_retirement"],
            growth_txt if o["value_at_retirement"] else "nothing stays invested",
            "assumed return (not law)",
        )
    t.add(
        "job_change.options.indirect_rollover.make_up_needed",
        withholding,
        f"add the {usd(withholding)} withheld from savings within {days} days to roll over "
        f"all {usd(portable)}",
        "indirect_rollover_days",
        "IRC 402(c)(3)",
    )
    sub = "job_change.options.indirect_rollover.if_not_made_up"
    t.add(sub + ".taxable", short_taxable, f"the unreplaced {usd(withholding)}, taxable part")
    t.add(
        sub + ".federal_tax",
        short_fed,
        f"tax on income {usd(income)} + {usd(short_taxable)} minus tax on {usd(income)}",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(sub + ".state_tax", short_state, f"{num(p.state_tax_percent)}% x {usd(short_taxable)}")
    t.add(
        sub + ".penalty",
        short_pen,
        f"{e_pct}% x {usd(short_taxable)}"
        if short_pen
        else "no additional tax on early distributions",
        "early_withdrawal_rate",
    )

    recommended, reasons = recommend(p, options, rule, tag if age55 else None, offset)
    return {
        "leaving": leaving,
        "separation_date": p.separation,
        "small_balance_rule": rule,
        "recommended": recommended,
        "reasons": reasons,
        "options": options,
    }


def recommend(
    p: Profile, options: list[dict[str, Any]], rule: str, age55: str | None, offset: Decimal
) -> tuple[str, list[str]]:
    """One recommendation with reason codes; never a cash-out or a 60-day rollover."""
    by_id = {o["id"]: o for o in options}
    if not p.job_change.leaving:
        staying = ["still_employed"]
        if by_id["cash_out"]["penalty"] > 0:
            staying.append("early_withdrawal_costly")
        return "leave_in_plan", staying
    reasons: list[str] = []
    if age55 and by_id["leave_in_plan"]["available"]:
        choice = "leave_in_plan"
        reasons += [KEEPS[age55], IRA_LOSES[age55]]
    elif by_id["roll_to_new_plan"]["available"]:
        choice = "roll_to_new_plan"
        reasons += ["no_tax_now", "one_account"]
        if p.balances.roth > 0:
            reasons.append("roth_years_carry_over")
    else:
        choice = "direct_rollover_ira"
        reasons += ["no_tax_now", "keeps_money_invested"]
        if p.balances.roth > 0:
            reasons.append("roth_ira_clock_restarts")
        if age55:
            reasons.append(IRA_LOSES[age55])
    if rule != "consent_required":
        reasons.append("small_balance_act_before_plan_does")
    if offset > 0:
        reasons.append("roll_over_loan_offset")
    cash = by_id["cash_out"]
    if cash["federal_tax"] + cash["state_tax"] + cash["penalty"] > 0:
        reasons.append("cash_out_costs")
    return choice, reasons


def _portable_txt(p: Profile, portable: Decimal) -> str:
    """The vested balance as a sum."""
    b = p.balances
    vested_employer = portable - b.pretax - b.roth
    return (
        f"pretax {usd(b.pretax)} + Roth {usd(b.roth)} + vested employer {usd(vested_employer)} "
        f"= {usd(portable)}"
    )
