"""The dated action plan: deadlines computed from the separation date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from engine.profile import Profile
from engine.report import Action, JobChangeOut, LoanOut, RmdOut, VestingOut
from engine.rules.withdrawals import distribution_date
from engine.trace import Trace

Act = Callable[[date | None, str, Decimal | None, str], None]


def moves_money(p: Profile, jc: JobChangeOut) -> bool:
    """Leaving, with a rollover out of the old plan suggested."""
    return p.job_change.leaving and jc.recommended in ("roll_to_new_plan", "direct_rollover_ira")


def rollover_steps(p: Profile, vest: VestingOut, jc: JobChangeOut, act: Act) -> None:
    """The RMD first (never rollable), employer shares in kind when NUA saves tax, Roth money
    to a Roth IRA, then the rollover of the rest (Treas. Reg. 1.402(c)-2 Q&A-7; IRC 402(e)(4),
    402(c)(8)(B))."""
    when = distribution_date(p)
    rest = vest.portable_balance
    parts = ["vesting.portable_balance"]
    if jc.rmd_first:
        act(when, "take_rmd_before_rollover", jc.rmd_first.amount, "job_change.rmd_first.amount")
        rest -= jc.rmd_first.amount
        parts.append("job_change.rmd_first.amount")
    stock = p.job_change.employer_stock
    if jc.nua and jc.nua.total_tax_ira_route > jc.nua.total_tax_nua_route:
        act(when, "take_employer_stock_in_kind", stock.market_value, "employer_stock.market_value")
    if jc.recommended == "direct_rollover_ira" and jc.roth_to_roth_ira > 0:
        act(when, "roll_roth_to_roth_ira", jc.roth_to_roth_ira, "job_change.roth_to_roth_ira")
        rest -= jc.roth_to_roth_ira
        parts.append("job_change.roth_to_roth_ira")
    act(when, "request_" + jc.recommended, rest, " - ".join(parts))


def actions(
    p: Profile,
    vest: VestingOut,
    jc: JobChangeOut,
    loan: LoanOut,
    rmd: RmdOut,
    t: Trace,
) -> list[Action]:
    """The steps with their dates, sorted by date."""
    out: list[Action] = []

    def act(when: date | None, what: str, amount: Decimal | None, formula: str) -> None:
        if when is None:
            return
        t.add(f"actions.{what}.amount", amount if amount is not None else "none", formula)
        out.append(Action(date=when, what=what, amount=amount))

    step = vest.next_step
    if p.job_change.leaving:
        if step and step.date and step.date > p.as_of:
            act(step.date, "stay_until_vesting_date", step.gain, "vesting.next_step.gain")
        rec = jc.recommended
        if rec in ("roll_to_new_plan", "direct_rollover_ira"):
            rollover_steps(p, vest, jc, act)
        indirect = next(o for o in jc.options if o.id == "indirect_rollover")
        act(
            indirect.deadline,
            "indirect_rollover_deadline_if_paid_to_you",
            indirect.make_up_needed,
            "job_change.options.indirect_rollover.make_up_needed",
        )
        offset = loan.offset
        if offset:
            act(
                offset.rollover_deadline,
                "roll_over_loan_offset",
                offset.amount,
                "loan.offset.amount",
            )
            act(
                offset.rollover_deadline_extended,
                "roll_over_loan_offset_with_extension",
                offset.amount,
                "loan.offset.amount",
            )
    if rmd.required_now and not (jc.rmd_first and moves_money(p, jc)):
        act(rmd.due, "take_rmd", rmd.amount, "rmd.amount")
    out.sort(key=lambda a: a.date)
    return out
