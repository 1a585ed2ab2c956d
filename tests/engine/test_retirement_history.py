"""Every historical retirement: the shipped data, the published figures, small hand-checked runs."""

from __future__ import annotations

import random
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine import evaluate, parse_profile
from engine.errors import InvalidProfile
from engine.rules import history
from tests.engine.test_properties import numbers

ROOT = Path(__file__).resolve().parents[2]
D = Decimal


def retiree(**retirement: Any) -> dict[str, Any]:
    """A 65-year-old with 1,200,000 spending 4,000 a month (4% a year), 30 years, no income."""
    plan = {"age": 65, "spending_monthly": 4000, "stock_percent": 50, "plan_to_age": 95}
    plan.update(retirement)
    return {
        "as_of": "2026-06-30",
        "age": 65,
        "salary": 0,
        "balances": {"pretax": 1200000},
        "retirement": plan,
    }


def test_the_data_is_the_shipped_file_1928_to_2024() -> None:
    assert (history.FIRST_YEAR, history.LAST_YEAR, len(history.YEARS)) == (1928, 2024, 97)
    assert history.YEARS[0].stocks == D("0.43811155")
    assert history.YEARS[-1].inflation == D("0.0288806")
    readme = (ROOT / "engine" / "data" / "README.md").read_text()
    assert "January 2026 update" in readme and "Damodaran" in readme
    package = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert {"data/*.csv", "data/*.md"} <= set(package["package-data"]["engine"])


@pytest.mark.parametrize(
    ("stocks", "lasted", "rate", "failed"),
    [
        (50, 63, 0.926471, [1964, 1965, 1966, 1968, 1969]),
        (75, 64, 0.941176, [1965, 1966, 1968, 1969]),
    ],
)
def test_four_percent_over_30_years(
    stocks: int, lasted: int, rate: float, failed: list[int]
) -> None:
    """4% of the start balance, raised with prices, 30 years: 92.6% at 50/50, 94.1% at 75/25.

    The Trinity study (Cooley, Hubbard and Walz, 1998) publishes 95% (50/50) and 98% (75/25) for
    the same rule; its 2011 update 96% and 100%. These figures are lower, for known reasons:
    the bonds here are 10-year Treasuries (Trinity: long-term high-grade corporates, which paid
    more), the withdrawal is taken once at the start of each year (Trinity: monthly, so money
    stays invested longer) and the data starts in 1928 (Trinity: 1926, two more good start years).
    The failures are the late-1960s starts, high inflation and poor real bond returns in both.
    """
    report = evaluate(parse_profile(retiree(stock_percent=stocks))).retirement
    assert report is not None and report.historical is not None
    h = report.historical
    assert (h.first_year, h.last_year, h.cohorts) == (1928, 1995, 68)
    assert h.lasted == lasted
    assert float(h.success_rate) == rate
    assert h.failed_start_years == failed
    assert h.worst_start_year == 1966  # ran out soonest
    trinity = {50: 0.95, 75: 0.98}[stocks]
    assert float(h.success_rate) < trinity  # the direction the differences above predict


def test_the_historical_safe_rate_is_bengens_worst_year() -> None:
    """The highest rate every 30-year start survived at 50/50: 3.67%, worst start 1966.

    Bengen (1994) found 4.15% with intermediate Treasuries and 1926 starts; 1966 is his worst
    year too.
    """
    found = history.safe_rate(30, D("0.5"))
    assert found is not None
    rate, year = found
    assert (round(rate, 4), year) == (D("0.0367"), 1966)
    # At that rate every start year lasts, and a hair more fails one.
    need = [D(1_000_000) * rate] * 30
    assert all(c.lasted for c in history.cohorts(D(1_000_000), need, D(0), D("0.5")))
    more = [w + D("0.01") for w in need]
    assert not all(c.lasted for c in history.cohorts(D(1_000_000), more, D(0), D("0.5")))


def test_a_three_year_retirement_by_hand() -> None:
    """1928-1930, 50/50, 100,000, 10,000 a year in 1928 dollars, computed step by step."""
    g1928 = 1 + (D("0.43811155") + D("0.00835471")) / 2
    g1929 = 1 + (D("-0.08297947") + D("0.04203804")) / 2
    g1930 = 1 + (D("-0.25123636") + D("0.04540931")) / 2
    b = (D(100000) - D(10000)) * g1928  # 90,000 x 1.22323313 = 110,090.98
    w1929 = D(10000) * (1 + D("-0.0115607"))  # raised by 1928's CPI (it fell)
    b = (b - w1929) * g1929
    w1930 = w1929 * (1 + D("0.005848"))  # raised by 1929's CPI
    b = (b - w1930) * g1930
    prices = (1 + D("-0.0115607")) * (1 + D("0.005848")) * (1 + D("-0.0639535"))
    first = history.cohorts(D(100000), [D(10000)] * 3, D(0), D("0.5"))[0]
    assert first.start_year == 1928 and first.lasted and first.years_paid == 3
    assert abs(first.end_real - b / prices) < D("0.000001")
    assert round(b / prices, 2) == D("85033.01")


def test_a_three_year_horizon_in_the_report() -> None:
    data = retiree(age=92, plan_to_age=95)
    data["age"] = 92
    h = evaluate(parse_profile(data)).retirement
    assert h is not None and h.historical is not None
    assert (h.historical.first_year, h.historical.last_year) == (1928, 2022)
    assert h.historical.cohorts == 95 and h.historical.years == 3


def test_running_out_by_hand() -> None:
    """100,000 at 100% stocks from 1929 taking 40,000 a year: 1929, 1930 paid, 1931 short."""
    b = (D(100000) - D(40000)) * (1 + D("-0.08297947")) / (1 + D("0.005848"))
    b = (b - D(40000)) * (1 + D("-0.25123636")) / (1 + D("-0.0639535"))
    assert b < D(40000)  # 1931's withdrawal cannot be paid in full
    found = history.cohorts(D(100000), [D(40000)] * 5, D(0), D(1))
    c1929 = next(c for c in found if c.start_year == 1929)
    assert (c1929.lasted, c1929.years_paid, c1929.end_real) == (False, 2, D(0))


def test_the_fast_sums_agree_with_year_by_year_runs() -> None:
    """The closed form (per start year) against the plain simulation, on varied plans."""
    rng = random.Random(20261203)
    for _ in range(40):
        n = rng.randint(1, 50)
        share = D(rng.randint(0, 100)) / 100
        split = rng.randint(0, n)
        need = [D(rng.randint(10000, 70000))] * split + [D(rng.randint(0, 30000))] * (n - split)
        pension = D(rng.choice([0, 0, 3000, 12000, 90000]))
        balance = D(rng.randint(100000, 2000000))
        for i, c in enumerate(history.cohorts(balance, need, pension, share)):
            paid, end = history.simulate(i, balance, need, pension, share)
            assert (c.years_paid, c.lasted) == (paid, paid == n)
            assert abs(c.end_real - end) < D("0.0001")


def test_worst_start_ties_go_to_the_earlier_year_and_the_median() -> None:
    c = history.Cohort
    ran_out = [c(1970, 20, False, D(0)), c(1966, 20, False, D(0)), c(1968, 25, False, D(0))]
    assert history.worst(ran_out).start_year == 1966
    lasted = [c(1950, 30, True, D(5)), c(1940, 30, True, D(5)), c(1960, 30, True, D(9))]
    assert history.worst(lasted).start_year == 1940
    assert history.median([D(1), D(9), D(3), D(5)]) == D(4)
    assert history.median([D(1), D(9), D(3)]) == D(3)


def test_guaranteed_income_lowers_what_the_portfolio_pays() -> None:
    """Social Security from its age and an indexed pension raise success; a fixed pension less."""
    plain = evaluate(parse_profile(retiree(spending_monthly=6000))).retirement
    ss = evaluate(
        parse_profile(
            retiree(spending_monthly=6000, social_security_monthly=2000, social_security_age=70)
        )
    ).retirement
    fixed = evaluate(parse_profile(retiree(spending_monthly=6000, pension_monthly=2000))).retirement
    indexed = evaluate(
        parse_profile(retiree(spending_monthly=6000, pension_monthly=2000, pension_indexed=True))
    ).retirement
    rates = []
    for r in (plain, ss, fixed, indexed):
        assert r is not None and r.historical is not None
        rates.append(r.historical.success_rate)
    assert rates[0] < rates[1]
    assert rates[0] < rates[2] <= rates[3]


def test_sequence_same_returns_two_orders() -> None:
    """Good years first beats bad years first with the very same returns."""
    r = evaluate(parse_profile(retiree())).retirement
    assert r is not None and r.sequence is not None
    s = r.sequence
    assert (s.first_year, s.last_year) == (1966, 1995)
    assert s.same_returns_order_a_end > s.same_returns_order_b_end
    assert s.order_a_ran_out_age is None and s.order_b_ran_out_age is not None


def test_every_new_number_is_traced_with_its_source_and_year() -> None:
    data = retiree(
        essential_monthly=3000,
        social_security_monthly=1500,
        social_security_age=67,
        pension_monthly=500,
        annuity_payout_percent=6.5,
    )
    data.update(birth_date="1961-03-04", age=None, salary=40000)
    data["retirement"]["age"] = 65
    report = evaluate(parse_profile(data)).model_dump(mode="json")
    sections = {k: report[k] for k in ("saving", "allocation", "retirement")}
    assert all(sections.values())
    traced = {e["figure"]: e for e in report["trace"]}
    missing = [p for p in numbers(sections) if p not in traced]
    assert not missing, missing
    for path in numbers(sections):
        entry = traced[path]
        assert entry["source"] and entry["tax_year"] == 2026, entry
    history_entry = traced["retirement.historical.success_rate"]
    assert (
        "Damodaran" in history_entry["source"]
        and "start of each year" in (history_entry["formula"])
    )
    assert "not law" in traced["allocation.stock_percent_110"]["source"]
    assert "Notice 2025-67" in traced["saving.roth_ira_max_contribution"]["source"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plan_to_age": 65}, "retirement.plan_to_age"),
        ({"spending_monthly": 1000, "essential_monthly": 2000}, "retirement.essential_monthly"),
        ({"stock_percent": 101}, "retirement.stock_percent"),
        ({"annuity_payout_percent": 0}, "retirement.annuity_payout_percent"),
    ],
)
def test_bad_retirement_inputs_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidProfile) as err:
        parse_profile(retiree(**change))
    assert field in [f["field"] for f in err.value.fields]
