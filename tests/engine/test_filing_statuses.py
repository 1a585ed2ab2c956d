"""Head of household and married filing separately: the data, the rules and the command.

The boundary figures are in tests/engine/cases/filing_statuses.yaml; here: every status-keyed
parameter covers the four statuses, the senior deduction by status, and a cash-out taxed for
each new status, read from the JSON report. Figures: Rev. Proc. 2025-32 (2026).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, get_args

import pytest

from engine import evaluate, parse_profile
from engine import parameters as P
from engine.errors import InvalidProfile
from engine.profile import FilingStatus
from engine.rules.tax import senior_deduction, separate_return_note, standard_deduction
from tests.engine.test_command import run

STATUSES = set(get_args(FilingStatus))


def status_keyed(value: Any) -> bool:
    """A value keyed by filing status (it has an entry for single)."""
    return isinstance(value, dict) and "single" in value


def test_the_four_statuses() -> None:
    assert {"single", "married_joint", "married_separate", "head_of_household"} == STATUSES


@pytest.mark.parametrize("year", P.SUPPORTED_YEARS)
def test_every_status_keyed_parameter_covers_every_status(year: int) -> None:
    law = P.DEFAULT.of_year(year)
    keyed = [n for n in P.DEFAULT.entries if status_keyed(law.get(n))]
    assert set(keyed) == {
        "tax_brackets",
        "capital_gain_brackets",
        "standard_deduction",
        "additional_deduction_65",
        "roth_ira_phase_out",
    }
    for name in keyed:
        assert set(law.get(name)) == STATUSES, (name, year)
    senior = law.get("senior_deduction")
    # A threshold for every status that may claim it; none for a separate return.
    assert {k for k in senior if k.startswith("threshold_")} == {
        "threshold_" + s for s in STATUSES - {"married_separate"}
    }
    assert senior["married_separate_allowed"] is False


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("magi", [0, 75000, 100000, 175000])
def test_senior_deduction_by_status(year: int, magi: int) -> None:
    law = P.DEFAULT.of_year(year)
    income = Decimal(magi)
    single = senior_deduction("single", law, income)
    assert senior_deduction("head_of_household", law, income) == single
    assert senior_deduction("married_separate", law, income) == 0
    # Married filing jointly phases out from 150,000: the full 6,000 up to there.
    if magi <= 150000:
        assert senior_deduction("married_joint", law, income) == 6000


def test_no_spouse_deduction_on_a_separate_return() -> None:
    law = P.DEFAULT.of_year(2026)
    # 16,100 + 1,650 for the person only, whatever the spouse's age; no senior deduction.
    alone = standard_deduction("married_separate", 66, law, Decimal(0))
    assert alone == 17750
    assert separate_return_note("married_separate")
    assert separate_return_note("head_of_household") == ""


# Age 40, 2026, wages 60,000, a 40,000 pre-tax balance cashed out on leaving.
CASH_OUT = {
    "as_of": "2026-06-30",
    "age": 40,
    "salary": 60000,
    "balances": {"pretax": 40000},
    "job_change": {"leaving": True},
}


def cash_out(profile: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The cash-out option and the trace, from the report as the engine command prints it."""
    report: dict[str, Any] = evaluate(parse_profile(profile)).model_dump(mode="json")
    option = next(o for o in report["job_change"]["options"] if o["id"] == "cash_out")
    return report | {"cash_out": option}, report["trace"]


def test_head_of_household_cash_out_end_to_end() -> None:
    # Deduction 24,150: taxable 35,850 -> 75,850. 10% to 17,700, 12% to 67,450, then 22%:
    # 3,948 -> 9,588, so 5,640 more. 20% withheld, 10% additional tax.
    report, trace = cash_out(CASH_OUT | {"filing_status": "head_of_household"})
    assert report["filing_status"] == "head_of_household"
    option = report["cash_out"]
    assert option["federal_tax"] == 5640
    assert option["withholding"] == 8000
    assert option["penalty"] == 4000
    assert option["net_now"] == 40000 - 5640 - 4000
    entry = next(e for e in trace if e["figure"] == "job_change.options.cash_out.federal_tax")
    assert "head_of_household, 2026 brackets" in entry["formula"]
    assert "Rev. Proc. 2025-32" in entry["source"]


def test_married_separate_cash_out_end_to_end() -> None:
    # Deduction 16,100 (as single): taxable 43,900 -> 83,900. 12% to 50,400, then 22%:
    # 5,020 -> 13,170, so 8,150 more.
    report, _ = cash_out(CASH_OUT | {"filing_status": "married_separate"})
    assert report["filing_status"] == "married_separate"
    assert report["cash_out"]["federal_tax"] == 8150
    assert report["cash_out"]["penalty"] == 4000


def test_married_separate_at_66_says_what_it_leaves_out() -> None:
    # Age 66 with a spouse of 70 on a separate return: 16,100 + 1,650 for the person only,
    # no senior deduction. Taxable 42,250 -> 82,250: 4,822 -> 12,807, so 7,985; no 10%.
    profile = CASH_OUT | {"age": 66, "spouse_age": 70, "filing_status": "married_separate"}
    report, trace = cash_out(profile)
    assert report["cash_out"]["federal_tax"] == 7985
    assert report["cash_out"]["penalty"] == 0
    entry = next(e for e in trace if e["figure"] == "job_change.options.cash_out.federal_tax")
    assert "spouse's own 65+ deductions are not applied" in entry["formula"]
    assert "no senior deduction" in entry["formula"]


def test_an_unknown_status_is_refused_by_name() -> None:
    with pytest.raises(InvalidProfile) as refused:
        parse_profile(CASH_OUT | {"filing_status": "married"})
    field = next(f for f in refused.value.fields if f["field"] == "filing_status")
    for status in STATUSES:
        assert status in field["message"]


@pytest.mark.parametrize(
    ("status", "federal_tax"), [("head_of_household", 5640), ("married_separate", 8150)]
)
def test_the_engine_command_taxes_both_statuses(status: str, federal_tax: int) -> None:
    """End to end: `python -m engine evaluate -` in a real subprocess, as the bot calls it."""
    profile = CASH_OUT | {"filing_status": status}
    proc = run(["evaluate", "-"], json.dumps(profile))
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    assert printed["filing_status"] == status
    option = next(o for o in printed["job_change"]["options"] if o["id"] == "cash_out")
    assert option["federal_tax"] == federal_tax
    assert option["penalty"] == 4000
    assert printed == evaluate(parse_profile(profile)).model_dump(mode="json")
