"""The tax year of a job-change payout: the year the money is paid out (IRC 402(a)).

The figures at the boundaries are in tests/engine/cases/payout_year.yaml; here: which year and
rules are chosen, the trace that says so, and a year added by data alone (an invented next
year, as in test_next_year.py) used for a separation in that year.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine import evaluate, parse_profile
from engine import parameters as P
from engine.report import Report
from engine.rules.job_change import job_change_options, payout_year
from engine.rules.tax import tax_on_income
from engine.trace import Trace
from tests.engine.test_next_year import INVENTED, NEXT, add_year

LAST = P.SUPPORTED_YEARS[-1]
BASE: dict[str, Any] = {
    "as_of": f"{LAST}-06-30",
    "age": 40,
    "salary": 0,
    "income_this_year": 50000,
    "balances": {"pretax": 30000},
    "job_change": {"leaving": True},
}
FEDERAL = "job_change.options.cash_out.federal_tax"


def profile(**change: Any) -> dict[str, Any]:
    """The base profile with some fields replaced (job_change merged)."""
    out = BASE | change
    out["job_change"] = BASE["job_change"] | change.get("job_change", {})
    return out


def entry(report: Report, figure: str) -> dict[str, Any]:
    """One trace entry of a report."""
    return dict(next(e for e in report.trace if e["figure"] == figure))


@pytest.mark.parametrize(
    ("as_of", "separation", "leaving", "paid", "used"),
    [
        ("2025-12-01", "2025-12-31", True, 2025, 2025),
        ("2025-12-01", "2026-01-01", True, 2026, 2026),
        ("2026-02-01", "2025-12-15", True, 2026, 2026),  # already left: paid today
        ("2025-12-01", "2026-01-01", False, 2025, 2025),  # staying: the tax year
        ("2026-12-31", "2027-01-01", True, 2027, 2026),  # not in the data: the latest year
    ],
)
def test_the_payout_year_and_its_rules(
    as_of: str, separation: str, leaving: bool, paid: int, used: int
) -> None:
    p = parse_profile(
        profile(as_of=as_of, job_change={"separation_date": separation, "leaving": leaving})
    )
    when = payout_year(p, P.DEFAULT.of_year(p.year))
    assert (when.paid, when.law.year, when.supported) == (paid, used, paid == used)


def options_for(data: dict[str, Any]) -> Any:
    """The job-change options of a profile as the engine builds them."""
    p = parse_profile(data)
    law = P.DEFAULT.of_year(p.year)
    tax_now = tax_on_income(p.income, p.filing_status, p.deduction_age(law.year), law)
    return job_change_options(p, Decimal(30000), Decimal(0), None, False, tax_now, law, Trace(law))


def test_the_options_carry_the_year_of_their_rules() -> None:
    jan = options_for(profile(as_of="2025-12-01", job_change={"separation_date": "2026-01-01"}))
    assert (jan.payout_tax_year, jan.payout_year_supported) == (2026, True)
    later = options_for(profile(as_of="2026-12-31", job_change={"separation_date": "2027-01-01"}))
    assert (later.payout_tax_year, later.payout_year_supported) == (2026, False)
    dec = options_for(profile(as_of="2025-12-01", job_change={"separation_date": "2025-12-31"}))
    assert (dec.payout_tax_year, dec.payout_year_supported) == (2025, True)


def test_the_trace_says_which_year_and_income_were_used() -> None:
    report = evaluate(
        parse_profile(profile(as_of="2025-12-01", job_change={"separation_date": "2026-01-01"}))
    )
    assert report.tax_year == 2025
    fed = entry(report, FEDERAL)
    assert fed["tax_year"] == 2026
    assert "Rev. Proc. 2025-32" in fed["source"]
    assert "paid out on 2026-01-01, taxed in 2026 under the 2026 rules" in fed["formula"]
    assert "income of $50,000 that year as you gave it" in fed["formula"]
    # Figures that are not about the payout keep the tax year.
    assert entry(report, "limits.deferral_402g")["tax_year"] == 2025


def test_a_year_not_in_the_data_is_named_in_the_trace() -> None:
    report = evaluate(
        parse_profile(profile(as_of="2026-12-31", job_change={"separation_date": "2027-01-01"}))
    )
    fed = entry(report, FEDERAL)
    assert fed["tax_year"] == 2026
    assert "taxed in 2027 whose rules are not in the data yet: the 2026 rules" in fed["formula"]
    # The rollover deadline is still a date.
    indirect = next(o for o in report.job_change.options if o.id == "indirect_rollover")
    assert indirect.deadline is not None


def test_the_same_year_changes_nothing_in_the_trace() -> None:
    report = evaluate(parse_profile(profile(job_change={"separation_date": f"{LAST}-12-31"})))
    fed = entry(report, FEDERAL)
    assert fed["tax_year"] == LAST
    assert "paid out on" not in fed["formula"]


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> P.ParameterSet:
    """The engine's parameters with an invented next year (every value copied from the last)."""
    where = tmp_path_factory.mktemp("payout-year") / "parameters"
    shutil.copytree(P.HERE, where, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for path in where.glob("*.toml"):
        if path.name == "coverage.toml":
            path.write_text(path.read_text() + f'\n[years.{NEXT}]\npublished = "{INVENTED}"\n')
        else:
            path.write_text(add_year(path.read_text()))
    return P.ParameterSet.load(Path(where))


def test_a_year_added_to_the_data_is_used_for_a_payout_in_it(invented: P.ParameterSet) -> None:
    data = profile(as_of=f"{LAST}-12-31", job_change={"separation_date": f"{NEXT}-01-01"})
    report = evaluate(parse_profile(data), invented)
    fed = entry(report, FEDERAL)
    assert fed["tax_year"] == NEXT
    assert INVENTED in fed["source"]
    assert f"taxed in {NEXT} under the {NEXT} rules" in fed["formula"]
    # The invented year copies the last year's figures, so the tax is the same.
    plain = evaluate(parse_profile(data))
    ours = next(o for o in report.job_change.options if o.id == "cash_out")
    theirs = next(o for o in plain.job_change.options if o.id == "cash_out")
    assert ours.federal_tax == theirs.federal_tax > 0
    assert entry(plain, FEDERAL)["tax_year"] == LAST
