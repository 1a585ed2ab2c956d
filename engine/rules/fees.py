"""Fees of each place the money can stay (an assumption the person gives, not law).

`fees_to_retirement` is how much less an option is worth at retirement because of its yearly
all-in cost: the amount grown at the assumed return minus the amount grown at the return less
the fee, over the same years as `value_at_retirement`.
"""

from __future__ import annotations

from decimal import Decimal

from engine.money import ONE, ZERO, num, pct
from engine.profile import Profile
from engine.report import Option
from engine.trace import Trace

PLACE = {
    "leave_in_plan": "old_plan",
    "roll_to_new_plan": "new_plan",
    "direct_rollover_ira": "ira",
    "indirect_rollover": "ira",
}


def fee_percent(p: Profile, option_id: str) -> Decimal | None:
    """The yearly fee of the place an option leaves the money in (None when not given)."""
    place = PLACE.get(option_id)
    if place is None:
        return None
    fee: Decimal | None = getattr(p.fees, place + "_percent")
    return fee


def fees_known(p: Profile) -> bool:
    """All three places' fees were given."""
    f = p.fees
    return None not in (f.old_plan_percent, f.new_plan_percent, f.ira_percent)


def fee_drag(amount: Decimal, fee: Decimal, p: Profile) -> tuple[Decimal, int]:
    """The amount grown at the assumed return minus grown at that return less the fee."""
    years = max(0, p.assumptions.retirement_age - p.age_at_year_end)
    r = pct(p.assumptions.annual_return_percent)
    return amount * ((ONE + r) ** years - (ONE + r - pct(fee)) ** years), years


def with_fees(p: Profile, options: list[Option], t: Trace) -> list[Option]:
    """Each option with its fees to retirement, when its place's fee is known."""
    f = p.fees
    if f.old_plan_percent is None and f.new_plan_percent is None and f.ira_percent is None:
        return options
    out = []
    for o in options:
        fee = fee_percent(p, o.id)
        figure = f"job_change.options.{o.id}.fees_to_retirement"
        if o.id == "cash_out":
            t.add(figure, ZERO, "nothing stays invested", "fees you gave")
            out.append(o.model_copy(update={"fees_to_retirement": ZERO}))
        elif fee is None:
            out.append(o)
        else:
            drag, years = fee_drag(o.gross, fee, p)
            r = num(p.assumptions.annual_return_percent)
            t.add(
                figure,
                drag,
                f"{t.usd(o.gross)} x ((1 + {r}%)^{years} - (1 + {r}% - {num(fee)}%)^{years})",
                "fees you gave",
                "assumed return (not law)",
            )
            out.append(o.model_copy(update={"fees_to_retirement": drag}))
    return out
