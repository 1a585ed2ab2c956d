"""The amounts a job change puts at stake for this person, largest first, each with its date.

Employer money kept by staying until the next vesting date (IRC 411(a)), the 10% a plan-only
separation rule saves (IRC 72(t)(2)(A)(v), 72(t)(10)), the unpaid loan's tax if not rolled
over (IRC 402(c)(3)(C)), the cost of cashing out, the tax the NUA route saves (IRC
402(e)(4)) and the fees the choice of place decides. Only what applies; no zero amounts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import cents, num
from engine.profile import Profile
from engine.report import AtStake, OptionId
from engine.rules.job_change import JobChangeOptions
from engine.rules.loans import loans
from engine.rules.vesting import vesting
from engine.trace import Trace

# The places a choice of option decides between (cash-outs and 60-day rollovers aside).
PLACES: tuple[OptionId, ...] = ("leave_in_plan", "roll_to_new_plan", "direct_rollover_ira")


def at_stake(
    p: Profile,
    choices: JobChangeOptions,
    fees: dict[OptionId, Decimal | None],
    saved_in_plan: tuple[Decimal, str],
    nua_saved: Decimal,
    t: Trace,
) -> list[AtStake]:
    """Each amount at stake for this person, sorted by amount, largest first."""
    s = choices.setting
    rate = num(s.law.amount("early_withdrawal_rate") * 100)
    scratch = Trace(s.law)  # these figures are traced where their own sections are built
    out: list[tuple[AtStake, str, tuple[str, ...]]] = []

    def add(
        code: str, amount: Decimal, formula: str, *sources: str, deadline: date | None = None
    ) -> None:
        if amount > 0:
            item = AtStake(code=code, amount=cents(amount), deadline=deadline)
            out.append((item, formula, sources))

    built = t.computed  # the sections evaluate() built already, with the same inputs
    step = (built.vesting or vesting(p, s.law, scratch)).next_step
    if step is not None and step.date is not None and step.date > p.as_of:
        add(
            "vesting_kept_by_staying",
            step.gain,
            f"vesting.next_step.gain: {t.usd(step.gain)} more is yours by staying until "
            f"{step.date}",
            "IRC 411(a)",
            deadline=step.date,
        )
    if not p.job_change.leaving:
        return _traced(out, t)
    if choices.leave_in_plan.available:
        saved, rule = saved_in_plan
        add(
            "additional_tax_avoided_in_plan",
            saved,
            f"{rate}% x taxable {t.usd(s.taxable)}: the additional tax if taken out early from an "
            "IRA or another plan; none from this plan after this separation",
            "early_withdrawal_rate",
            rule,
        )
    given = (choices.leave_in_plan.gross, s.exception is None, s.tax_now)
    loan = built.loans.get(given) or loans(p, *given, s.law, scratch)
    offset = loan.offset
    if offset is not None:
        cost = offset.federal_tax_if_not_rolled + offset.state_tax_if_not_rolled
        cost += offset.penalty_if_not_rolled
        add(
            "loan_offset_tax",
            cost,
            f"loan offset: federal {t.usd(offset.federal_tax_if_not_rolled)} + state "
            f"{t.usd(offset.state_tax_if_not_rolled)} + additional tax "
            f"{t.usd(offset.penalty_if_not_rolled)}"
            ", unless rolled over by the deadline",
            "IRC 402(c)(3)(C)",
            "IRC 72(p)",
            deadline=offset.rollover_deadline,
        )
    cash = choices.cash_out
    add(
        "cash_out_cost",
        cash.federal_tax + cash.state_tax + cash.penalty,
        f"cash-out federal {t.usd(cash.federal_tax)} + state {t.usd(cash.state_tax)} + "
        f"additional tax {t.usd(cash.penalty)}",
        "tax_brackets",
        "early_withdrawal_rate",
    )
    add(
        "nua_tax_saved",
        nua_saved,
        "job_change.nua: total tax of the IRA route - total tax of the NUA route (shares out in "
        "kind, the whole balance out within one tax year)",
        "IRC 402(e)(4)",
    )
    known = [fee for oid in PLACES if (fee := fees.get(oid)) is not None and _open(choices, oid)]
    if len(known) > 1:
        add(
            "fees_difference",
            max(known) - min(known),
            "fees to retirement of the costliest place - the cheapest (the yearly fees you gave)",
            "fees you gave",
            "assumed return (not law)",
        )
    return _traced(out, t)


def _open(choices: JobChangeOptions, oid: OptionId) -> bool:
    """Whether an option is open to the person."""
    return next(o for o in choices.all() if o.id == oid).available


def _traced(out: list[tuple[AtStake, str, tuple[str, ...]]], t: Trace) -> list[AtStake]:
    """The items largest first, each traced."""
    out.sort(key=lambda x: x[0].amount, reverse=True)
    for item, formula, sources in out:
        t.add(f"job_change.at_stake.{item.code}", item.amount, formula, *sources)
    return [item for item, _, _ in out]
