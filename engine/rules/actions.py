"""The dated action plan: deadlines computed from the separation date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.profile import Profile
from engine.report import Action, JobChangeOut, LoanOut, RmdOut, VestingOut
from engine.rules.withdrawals import distribution_date
from engine.trace import Trace


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
            act(
                distribution_date(p),
                "request_" + rec,
                vest.portable_balance,
                "vesting.portable_balance",
            )
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
    if rmd.required_now:
        act(rmd.due, "take_rmd", rmd.amount, "rmd.amount")
    out.sort(key=lambda a: a.date)
    return out
