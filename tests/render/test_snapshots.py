"""Snapshots of what contrasting people read (clock and year fixed), reviewed by a person.

Each shows the verdict (the first message, its buttons under it), then every section its
buttons open, one after the other. Regenerate after a deliberate wording change with
UPDATE_SNAPSHOTS=1, then read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.render import button_label, render_part, render_verdict, sections_of, to_plain
from bot.render.sections import CHART, SOURCES
from engine import Report, evaluate, parse_profile

HERE = Path(__file__).parent / "snapshots"
AS_OF = "2026-11-23"

PEOPLE: dict[str, tuple[str, dict[str, Any]]] = {
    "28-small-balance": (
        "job_change",
        {
            "age": 28,
            "salary": 48000,
            "balances": {"pretax": 2400},
            "job_change": {"leaving": True, "separation_date": "2026-12-05"},
        },
    ),
    "45-loan-unvested-match": (
        "job_change",
        {
            "age": 45,
            "salary": 85000,
            "state_tax_percent": 5,
            "balances": {"pretax": 48000, "employer": 12000},
            "vesting": {
                "schedule": "graded6",
                "years_of_service": 3,
                "next_year_date": "2027-03-01",
            },
            "loan": {"outstanding": 8000},
            "job_change": {"leaving": True, "separation_date": "2026-12-15"},
        },
    ),
    "56-separating-this-year": (
        "job_change",
        {
            "age": 56,
            "salary": 120000,
            "balances": {"pretax": 310000, "employer": 40000},
            "job_change": {
                "leaving": True,
                "separation_date": "2026-12-31",
                "new_plan_accepts_rollovers": True,
            },
        },
    ),
    "61-roth-money": (
        "withdrawal",
        {
            "age": 61,
            "salary": 95000,
            "balances": {
                "pretax": 150000,
                "roth": 40000,
                "roth_basis": 30000,
                "roth_first_year": 2019,
            },
            "job_change": {"leaving": True, "separation_date": "2026-10-31"},
        },
    ),
    "74-still-working": (
        "saving",
        {
            "birth_date": "1952-04-10",
            "salary": 90000,
            "contribution_percent": 10,
            "match": [{"match_percent": 50, "on_pay_percent": 6}],
            "balances": {"pretax": 600000, "roth": 50000, "roth_first_year": 2015},
            "prior_year_end_balance": 580000,
        },
    ),
    "52-public-safety": (
        "job_change",
        {
            "age": 52,
            "salary": 78000,
            "balances": {"pretax": 210000},
            "job_change": {"leaving": True, "public_safety": True, "separation_date": "2026-12-20"},
        },
    ),
    "mfj-high-income": (
        "job_change",
        {
            "age": 48,
            "filing_status": "married_joint",
            "salary": 240000,
            "other_income": 160000,
            "state_tax_percent": 9.3,
            "balances": {"pretax": 400000, "roth": 25000},
            "job_change": {
                "leaving": True,
                "separation_date": "2026-12-01",
                "new_plan_accepts_rollovers": True,
            },
        },
    ),
    "new-plan-refuses-rollins": (
        "job_change",
        {
            "age": 39,
            "salary": 70000,
            "balances": {"pretax": 35000},
            "job_change": {
                "leaving": True,
                "separation_date": "2026-12-10",
                "new_plan_accepts_rollovers": False,
            },
        },
    ),
}

# Money out while working: five people asking for a withdrawal, five for a new loan.
PEOPLE |= {
    "w38-still-employed-medical": (
        "withdrawal",
        {
            "age": 38,
            "salary": 62000,
            "balances": {"pretax": 27000},
            "withdrawal": {"net_needed": 8000, "reason": "medical", "medical_expenses": 9000},
        },
    ),
    "w57-left-at-56": (
        "withdrawal",
        {
            "age": 57,
            "salary": 40000,
            "balances": {"pretax": 180000},
            "job_change": {"leaving": True, "separation_date": "2025-09-30"},
            "withdrawal": {"amount": 20000},
        },
    ),
    "w45-eviction-state-tax": (
        "withdrawal",
        {
            "age": 45,
            "salary": 52000,
            "state_tax_percent": 5,
            "balances": {"pretax": 30000, "employer": 10000},
            "loan": {"outstanding": 15000},
            "withdrawal": {"net_needed": 6000, "reason": "eviction"},
        },
    ),
    "w61-still-employed": (
        "withdrawal",
        {
            "age": 61,
            "salary": 88000,
            "balances": {"pretax": 240000},
            "withdrawal": {"amount": 15000},
        },
    ),
    "w30-birth-of-twins": (
        "withdrawal",
        {
            "age": 30,
            "salary": 58000,
            "balances": {"pretax": 22000},
            "withdrawal": {"amount": 10000, "exceptions": ["birth_adoption"], "children": 2},
        },
    ),
    "l30-home-30k-biweekly": (
        "loan",
        {
            "age": 30,
            "salary": 70000,
            "balances": {"pretax": 44400},
            "loan": {
                "request": {
                    "amount": 30000,
                    "annual_rate_percent": 8.5,
                    "payments_per_year": 26,
                    "purpose": "residence",
                    "years": 15,
                }
            },
        },
    ),
    "l45-general-10k-monthly": (
        "loan",
        {
            "age": 45,
            "salary": 80000,
            "state_tax_percent": 4,
            "balances": {"pretax": 50000, "employer": 20000},
            "loan": {
                "request": {"amount": 10000, "annual_rate_percent": 8.5, "payments_per_year": 12}
            },
        },
    ),
    "l58-second-loan": (
        "loan",
        {
            "age": 58,
            "salary": 95000,
            "balances": {"pretax": 150000},
            "loan": {
                "outstanding": 12000,
                "highest_last_12_months": 15000,
                "request": {"amount": 20000, "annual_rate_percent": 8.5, "payments_per_year": 26},
            },
        },
    ),
    "l33-over-the-limit": (
        "loan",
        {
            "age": 33,
            "salary": 55000,
            "balances": {"pretax": 24000},
            "loan": {
                "request": {"amount": 20000, "annual_rate_percent": 8.5, "payments_per_year": 24}
            },
        },
    ),
    "l40-rate-unknown": (
        "loan",
        {
            "age": 40,
            "salary": 65000,
            "balances": {"pretax": 70000},
            "loan": {"request": {"amount": 15000, "payments_per_year": 26}},
        },
    ),
}


def report_of(name: str) -> Report:
    """The engine's report for a snapshot person."""
    return evaluate(parse_profile({"as_of": AS_OF, **PEOPLE[name][1]}))


def render(path: str, profile: dict[str, Any]) -> str:
    """What the person reads, as plain text (the console's view): the verdict with its buttons,
    then each section under its button's name."""
    report = evaluate(parse_profile({"as_of": AS_OF, **profile}))
    found = sections_of(report, path)
    buttons = " ".join(f"[{button_label(k)}]" for k in found.keys)
    out = [to_plain(render_verdict(report, path)) + "\n" + buttons]
    for key in found.keys:
        if key not in (CHART, SOURCES):
            out.append(f"== {button_label(key)} ==\n" + to_plain(render_part(report, path, key)))
    return "\n\n".join(out) + "\n"


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_snapshot(name: str) -> None:
    path, profile = PEOPLE[name]
    got = render(path, profile)
    file = HERE / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not file.exists():
        file.write_text(got)
    assert got == file.read_text(), f"{name}: rendering changed; read the diff, then update"


def test_every_snapshot_file_belongs_to_a_person() -> None:
    assert {p.stem for p in HERE.glob("*.txt")} == set(PEOPLE)
