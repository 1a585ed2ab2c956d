"""Hypothesis properties over random profiles: invariants that must always hold."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import SUPPORTED_YEARS, evaluate, parse_profile
from engine.parameters import DEFAULT
from engine.rules.tax import tax_on_distribution

money = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False)
small = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """A random but valid profile."""
    year = draw(st.sampled_from(SUPPORTED_YEARS))
    as_of = date(year, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
    pretax, roth, employer = draw(small), draw(small), draw(small)
    loan = draw(
        st.decimals(min_value=0, max_value=min(pretax + roth + employer, Decimal(50000)), places=2)
    )
    tiers = draw(
        st.lists(
            st.fixed_dictionaries(
                {"match_percent": st.integers(0, 200), "on_pay_percent": st.integers(0, 6)}
            ),
            max_size=3,
        )
    )
    return {
        "as_of": as_of.isoformat(),
        "age": draw(st.integers(18, 100)),
        "filing_status": draw(st.sampled_from(["single", "married_joint"])),
        "salary": str(draw(money)),
        "other_income": str(draw(small)),
        "state_tax_percent": draw(st.integers(0, 13)),
        "contribution_percent": draw(st.integers(0, 100)),
        "match": tiers,
        "balances": {
            "pretax": str(pretax),
            "roth": str(roth),
            "employer": str(employer),
            "roth_first_year": draw(st.none() | st.integers(2006, year)),
        },
        "vesting": {
            "schedule": draw(st.sampled_from(["immediate", "cliff3", "graded6"])),
            "years_of_service": draw(st.integers(0, 10)),
        },
        "loan": {"outstanding": str(loan)},
        "job_change": {
            "leaving": draw(st.booleans()),
            "public_safety": draw(st.booleans()),
            "new_plan_accepts_rollovers": draw(st.none() | st.booleans()),
        },
    }


def numbers(node: Any, path: str = "") -> list[str]:
    """Dotted paths of every numeric leaf (options by id)."""
    out: list[str] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "trace" or (path == "" and k in ("tax_year", "age")):
                continue
            out += numbers(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for item in node:
            key = item.get("id") or item.get("what") if isinstance(item, dict) else None
            if key:
                out += numbers(item, f"{path}.{key}")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        out.append(path)
    return out


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(profiles())
def test_invariants(data: dict[str, Any]) -> None:
    report = evaluate(parse_profile(data))
    r = report.model_dump(mode="json")
    for o in report.job_change.options:
        assert o.net_now <= o.gross  # net never above gross
        assert o.withholding <= o.gross
        assert min(o.federal_tax, o.state_tax, o.penalty, o.withholding) >= 0
    v = report.vesting
    assert v.vested_employer <= Decimal(data["balances"]["employer"])  # vested never above balance
    assert v.portable_balance >= 0
    assert report.loan.max_new_loan >= 0
    assert report.contributions.employee_annual <= report.limits.employee_total
    assert [a.date for a in report.actions] == sorted(a.date for a in report.actions)
    traced = {e["figure"] for e in r["trace"]}
    missing = [p for p in numbers(r) if p not in traced]
    assert not missing, f"figures without a trace entry: {missing}"


@FAST
@given(
    st.sampled_from(SUPPORTED_YEARS),
    st.sampled_from(["single", "married_joint"]),
    st.integers(18, 100),
    money,
    money,
    small,
)
def test_more_income_never_less_tax(
    year: int, status: str, age: int, income: Decimal, extra: Decimal, amount: Decimal
) -> None:
    law = DEFAULT.of_year(year)
    base = tax_on_distribution(income, amount, status, age, law)
    assert base >= 0
    assert tax_on_distribution(income, amount + extra, status, age, law) >= base
