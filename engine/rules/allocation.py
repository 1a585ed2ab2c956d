"""How it is invested: the stock share by the 110/120-minus-age rules of thumb, and rebalancing."""

from __future__ import annotations

from decimal import Decimal

from engine.money import HUNDRED, ZERO, num, pct
from engine.profile import Profile
from engine.report import AllocationOut, RebalanceExample
from engine.trace import Trace

RULE_OF_THUMB = "rule of thumb (an assumption, not law)"
# The example the saving path shows: a 70/30 portfolio that drifted to 80/20.
EXAMPLE_TARGET, EXAMPLE_DRIFTED = Decimal(70), Decimal(80)


def stock_percent_rule(base: int, age: int) -> Decimal:
    """`base` minus age, as a stock percent between 0 and 100 (a rule of thumb, not law)."""
    return min(HUNDRED, max(ZERO, Decimal(base - age)))


def allocation(p: Profile, balance: Decimal, t: Trace) -> AllocationOut:
    """The allocation section: both rules of thumb at this age and a rebalancing example."""
    age = p.age_at_year_end
    s110, s120 = stock_percent_rule(110, age), stock_percent_rule(120, age)
    t.add("allocation.stock_percent_110", s110, f"110 - age {age}, within 0-100", RULE_OF_THUMB)
    t.add("allocation.stock_percent_120", s120, f"120 - age {age}, within 0-100", RULE_OF_THUMB)
    stocks, bonds = balance * pct(EXAMPLE_DRIFTED), balance * pct(HUNDRED - EXAMPLE_DRIFTED)
    target = balance * pct(EXAMPLE_TARGET)
    move = stocks - target
    drift = f"{num(EXAMPLE_TARGET)}/{num(HUNDRED - EXAMPLE_TARGET)} drifted to "
    drift += f"{num(EXAMPLE_DRIFTED)}/{num(HUNDRED - EXAMPLE_DRIFTED)}"
    where = "allocation.rebalance_example."
    for figure, value, formula in (
        ("balance", balance, "saving.current_balance"),
        ("target_stock_percent", EXAMPLE_TARGET, drift),
        ("drifted_stock_percent", EXAMPLE_DRIFTED, drift),
        ("stocks_drifted", stocks, f"{num(EXAMPLE_DRIFTED)}% x {t.usd(balance)}"),
        ("bonds_drifted", bonds, f"{num(HUNDRED - EXAMPLE_DRIFTED)}% x {t.usd(balance)}"),
        ("stocks_target", target, f"{num(EXAMPLE_TARGET)}% x {t.usd(balance)}"),
        ("bonds_target", balance - target, f"{t.usd(balance)} - {t.usd(target)}"),
    ):
        t.add(where + figure, value, formula, RULE_OF_THUMB)
    t.add(
        "allocation.rebalance_example.sell_stocks_buy_bonds",
        move,
        f"{t.usd(balance)} at {num(EXAMPLE_DRIFTED)}/{num(HUNDRED - EXAMPLE_DRIFTED)}: stocks "
        f"{t.usd(stocks)} less the {num(EXAMPLE_TARGET)}% target {t.usd(target)}",
        RULE_OF_THUMB,
    )
    return AllocationOut(
        stock_percent_110=s110,
        stock_percent_120=s120,
        rebalance_example=RebalanceExample(
            balance=balance,
            target_stock_percent=EXAMPLE_TARGET,
            drifted_stock_percent=EXAMPLE_DRIFTED,
            stocks_drifted=stocks,
            bonds_drifted=bonds,
            stocks_target=target,
            bonds_target=balance - target,
            sell_stocks_buy_bonds=move,
        ),
        assumptions=["rules_of_thumb_not_law", "example_70_30_drifted_to_80_20"],
    )
