"""The recommendation's invariants over random job changes: reasons only where options differ,
each traced with a source; the dollars decide; the amounts at stake largest first, never 0."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import evaluate, parse_profile
from engine.money import cents
from engine.report import Option, Report

amount = st.decimals(min_value=0, max_value=400_000, places=2, allow_nan=False)
fee = st.none() | st.decimals(min_value=0, max_value=2, places=2)
CANDIDATES = ("leave_in_plan", "roll_to_new_plan", "direct_rollover_ira")
# Facts true of every option that keeps the money invested: never a reason between them.
EQUALLY_TRUE = {"no_tax_now", "keeps_money_invested"}


@st.composite
def job_changes(draw: st.DrawFn) -> dict[str, Any]:
    """A random job change in 2026."""
    pretax = draw(st.decimals(min_value=5000, max_value=400_000, places=2))  # covers the loan
    roth = draw(st.sampled_from([Decimal(0), Decimal(12000)]))
    profile: dict[str, Any] = {
        "as_of": "2026-06-30",
        "age": draw(st.integers(25, 80)),
        "salary": str(draw(amount)),
        "state_tax_percent": draw(st.integers(0, 8)),
        "balances": {"pretax": str(pretax), "roth": str(roth), "employer": str(draw(amount))},
        "vesting": {"schedule": draw(st.sampled_from(["immediate", "cliff3", "graded6"]))},
        "loan": {"outstanding": str(draw(st.sampled_from([0, 5000])))},
        "backdoor_roth": draw(st.booleans()),
        "fees": {
            "old_plan_percent": draw(fee),
            "new_plan_percent": draw(fee),
            "ira_percent": draw(fee),
        },
        "assumptions": {"retirement_age": draw(st.integers(60, 85))},
        "job_change": {
            "leaving": draw(st.booleans()),
            "public_safety": draw(st.booleans()),
            "public_safety_years": draw(st.none() | st.integers(0, 30)),
            "new_plan_accepts_rollovers": draw(st.none() | st.booleans()),
        },
    }
    if draw(st.booleans()):
        value = draw(st.integers(1000, 300000))
        profile["job_change"]["employer_stock"] = {
            "market_value": value,
            "cost_basis": draw(st.integers(0, value)),
        }
    return profile


def option(r: Report, oid: str) -> Option:
    return next(o for o in r.job_change.options if o.id == oid)


def worth(o: Option) -> tuple[Decimal, Decimal]:
    return (round(o.value_at_retirement, 2), round(o.net_now, 2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job_changes())
def test_reasons_distinguish_and_dollars_decide(profile: dict[str, Any]) -> None:
    r = evaluate(parse_profile(profile))
    jc = r.job_change
    pick = option(r, jc.recommended)
    assert jc.reasons == list(dict.fromkeys(i.code for i in jc.reason_items))
    assert not EQUALLY_TRUE & set(jc.reasons)
    if not jc.leaving:
        assert jc.recommended == "leave_in_plan" and jc.tied_with == []
        return
    # the dollars decide: nothing open is worth more than the suggestion
    open_ = [o for o in jc.options if o.available and o.id in CANDIDATES]
    assert worth(pick) == max(worth(o) for o in open_)
    for oid in jc.tied_with:
        assert worth(option(r, oid)) == worth(pick) and oid != pick.id
        # every tied option gets at least one reason of its own
        assert any(i.versus == oid for i in jc.reason_items)
    for item in jc.reason_items:
        assert item.versus is None or item.versus != pick.id
        assert item.amount is None or item.amount > 0
        if item.versus is not None and item.versus not in jc.tied_with:
            # only a cash-out differs in dollars, or the old plan may not keep a small balance
            assert item.versus in ("cash_out", "leave_in_plan")
    cash = option(r, "cash_out")
    cost = cash.federal_tax + cash.state_tax + cash.penalty
    costs = [i for i in jc.reason_items if i.code == "cash_out_costs"]
    assert [i.amount for i in costs] == ([cents(cost)] if cost > 0 else [])  # half up
    # fees are compared only where both are known, and then in dollars
    for item in jc.reason_items:
        if item.code in ("lower_fees", "higher_fees"):
            theirs = option(r, item.versus or "").fees_to_retirement
            assert theirs is not None and pick.fees_to_retirement is not None
            assert item.amount == abs(round(theirs - pick.fees_to_retirement, 2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job_changes())
def test_every_reason_and_amount_at_stake_is_traced_with_a_source(profile: dict[str, Any]) -> None:
    r = evaluate(parse_profile(profile))
    traced = {e["figure"]: e for e in r.trace}
    for item in r.job_change.reason_items:
        entry = traced[f"job_change.reasons.{item.code}"]
        assert entry["source"] and entry["formula"]
    stake = r.job_change.at_stake
    assert [s.amount for s in stake] == sorted((s.amount for s in stake), reverse=True)
    assert all(s.amount > 0 for s in stake)
    assert len({s.code for s in stake}) == len(stake)
    for s in stake:
        entry = traced[f"job_change.at_stake.{s.code}"]
        assert Decimal(entry["value"]) == s.amount and entry["source"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(job_changes())
def test_actions_take_the_rmd_first_and_roll_over_the_rest(profile: dict[str, Any]) -> None:
    r = evaluate(parse_profile(profile))
    jc = r.job_change
    request = [a for a in r.actions if a.what.startswith("request_")]
    if not request:
        return
    (req,) = request
    assert req.what == "request_" + jc.recommended
    same_day = [a.what for a in r.actions if a.date == req.date]
    rest = r.vesting.portable_balance
    if jc.rmd_first:
        assert same_day[0] == "take_rmd_before_rollover"
        assert "take_rmd" not in {a.what for a in r.actions}
        rest -= jc.rmd_first.amount
    if jc.recommended == "direct_rollover_ira" and jc.roth_to_roth_ira > 0:
        assert "roll_roth_to_roth_ira" in same_day
        rest -= jc.roth_to_roth_ira
    nua = jc.nua
    in_kind = nua is not None and nua.total_tax_ira_route > nua.total_tax_nua_route
    assert ("take_employer_stock_in_kind" in same_day) == in_kind
    assert cents(req.amount) == cents(rest)
    assert same_day[-1] == req.what


def test_a_tie_between_the_ira_and_the_old_plan_gives_no_shared_reason() -> None:
    """The product's own example: 60,000, IRA and old plan equal to the cent."""
    r = evaluate(
        parse_profile(
            {
                "as_of": "2026-06-30",
                "age": 45,
                "salary": 85000,
                "balances": {"pretax": 60000},
                "job_change": {"leaving": True},
            }
        )
    )
    jc = r.job_change
    assert jc.recommended == "direct_rollover_ira"
    assert jc.tied_with == ["leave_in_plan", "indirect_rollover"]
    against_old = [i.code for i in jc.reason_items if i.versus == "leave_in_plan"]
    assert against_old == [
        "fees_not_compared",
        "creditor_protection_plan_vs_ira",
        "investment_menu_ira_vs_plan",
    ]
    assert "no_tax_now" not in jc.reasons and "keeps_money_invested" not in jc.reasons
