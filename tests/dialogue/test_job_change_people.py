"""Six people at a job change, typed through the real console, as the issue found them.

Each conversation runs in a real `python -m bot console` process. The whole output is compared
with a reviewed snapshot in tests/dialogue/people/ (UPDATE_SNAPSHOTS=1 rewrites them), and the
defects first seen with these people are asserted absent, figure by figure against the engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue.profile import build_profile
from bot.render import money, to_plain
from engine import Report, evaluate
from tests.dialogue.console_driver import run_piped
from tests.dialogue.walk import first_verdict

TODAY = date(2026, 12, 3)
SNAPSHOTS = Path(__file__).parent / "people"
# Follow-ups after the answer, for someone with nothing more to add: new plan not sure, no
# state tax, no Roth money, no employer stock, no after-tax money, fees not known.
NOTHING_MORE = ["3", "0", "none", "no", "no", "skip", "skip"]
# Then every section of the answer is opened by its button's name (the console's way to tap).
READ = ["Why this", "Your options", "Cash-out cost", "What to do", "What I assumed"]


@dataclass(frozen=True)
class Person:
    """A conversation: what is typed, and the answers it must store."""

    name: str
    typed: list[str]
    answers: dict[str, Any]


def report(answers: dict[str, Any]) -> Report:
    """The engine's report on the stored answers."""
    return evaluate(build_profile(answers, TODAY))


def option(r: Report, oid: str) -> Any:
    """One job-change option."""
    return next(o for o in r.job_change.options if o.id == oid)


def cost(r: Report) -> Decimal:
    """What cashing out costs."""
    cash = option(r, "cash_out")
    return Decimal(cash.federal_tax + cash.state_tax + cash.penalty)


POLICE = Person(
    "52-police-officer",
    ["1", "52, I'm a police officer", "$90k", "100k", "20k", "1", "none", "December 31", "2", "1"]
    + NOTHING_MORE
    + [*READ, "Vesting", "Chart"],
    {
        "path": "job_change",
        "age": [52, None],
        "salary": "90000",
        "balance": "100000",
        "employer": "20000",
        "schedule": "immediate",
        "loan": "0",
        "leaving_date": "2026-12-31",
        "public_safety": "yes",
        "filing": "single",
    },
)
ROTH = Person(
    "40-roth-money",
    ["1", "40", "$90k", "80k", "none", "no loan", "December 31", "1", "3", "0"]
    + ["15k", "12k", "2018", "no", "no", "skip", "skip"]
    + [*READ, "Where each part goes", "Roth money", "/why roth"],
    {
        "path": "job_change",
        "age": [40, None],
        "salary": "90000",
        "balance": "80000",
        "employer": "0",
        "loan": "0",
        "leaving_date": "2026-12-31",
        "filing": "single",
        "roth": "15000",
        "roth_basis": "12000",
        "roth_year": 2018,
    },
)
RETIRING = Person(
    "74-retiring",
    ["1", "74", "$60k", "300k", "none", "none", "December 31", "no", "280k", "1"]
    + NOTHING_MORE
    + [*READ, "Where each part goes", "RMDs", "/why rmd"],
    {
        "path": "job_change",
        "age": [74, None],
        "salary": "60000",
        "balance": "300000",
        "employer": "0",
        "loan": "0",
        "leaving_date": "2026-12-31",
        "five_percent_owner": "no",
        "year_end_balance": "280000",
        "filing": "single",
    },
)
NEXT_YEAR = Person(
    "45-leaving-next-year",
    ["1", "45", "$90k", "80k", "none", "8k", "end of next month", "yes", "1"]
    + NOTHING_MORE
    + [*READ, "Your loan"],
    {
        "path": "job_change",
        "age": [45, None],
        "salary": "90000",
        "balance": "80000",
        "employer": "0",
        "loan": "8000",
        "leaving_date": "2027-01-31",
        "filing": "single",
    },
)
MARRIED = Person(
    "66-married-both-over-65",
    ["1", "66", "$50k", "20k", "none", "none", "December 31", "2", "67"] + NOTHING_MORE + READ,
    {
        "path": "job_change",
        "age": [66, None],
        "salary": "50000",
        "balance": "20000",
        "employer": "0",
        "loan": "0",
        "leaving_date": "2026-12-31",
        "filing": "married_joint",
        "spouse_age": [67, None],
    },
)
LOAN_AND_CASH = Person(
    "45-cash-out-and-unpaid-loan",
    ["1", "45", "$85k", "60,000", "none", "10k", "December 15", "1"]
    + NOTHING_MORE
    + [*READ, "Your loan", "Chart"],
    {
        "path": "job_change",
        "age": [45, None],
        "salary": "85000",
        "balance": "60000",
        "employer": "0",
        "loan": "10000",
        "leaving_date": "2026-12-15",
        "filing": "single",
    },
)
PEOPLE = [POLICE, ROTH, RETIRING, NEXT_YEAR, MARRIED, LOAN_AND_CASH]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each person's whole console output (one process per person)."""
    out = {}
    for p in PEOPLE:
        folder = tmp_path_factory.mktemp(p.name)
        text = run_piped(folder / "chat.db", p.typed, as_of=TODAY.isoformat())
        out[p.name] = text.replace(str(folder), "<tmp>")
    return out


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
def test_snapshot(person: Person, outputs: dict[str, str]) -> None:
    path = SNAPSHOTS / f"{person.name}.txt"
    text = outputs[person.name]
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
def test_every_answer_is_read_and_the_figures_are_the_engines(
    person: Person, outputs: dict[str, str]
) -> None:
    out = outputs[person.name]
    assert "couldn't read" not in out
    r = report(person.answers)
    cash = option(r, "cash_out")
    assert money(cash.net_now) in out


def test_police_officer_pays_no_10_percent_and_is_warned_about_an_ira(
    outputs: dict[str, str],
) -> None:
    out = outputs[POLICE.name]
    r = report(POLICE.answers)
    assert option(r, "cash_out").penalty == 0
    assert "No 10% additional tax: you are a public safety worker" in out
    assert "Loses the public-safety age-50 rule" in out  # said of the IRA
    assert "$10,000 10% additional tax" not in out


def test_roth_money_goes_to_a_roth_ira_and_its_contributions_are_not_taxed(
    outputs: dict[str, str],
) -> None:
    out = outputs[ROTH.name]
    r = report(ROTH.answers)
    assert r.roth.taxable_if_distributed == 3000  # 15,000 - 12,000 of contributions
    assert "$15,000, goes to a Roth IRA" in out
    assert "its years in the plan do not count" in out  # the Roth IRA's own clock
    assert "unknown, taken as $0" not in out
    turns = out.split("\n> ")
    asked = next(i for i, t in enumerate(turns) if "Is any of your balance Roth" in t)
    assert "Nothing in the result changed" not in turns[asked + 1]  # the reply to "15k"
    assert "Where each part goes" in turns[asked + 1]


def test_retiree_takes_the_rmd_first_from_last_december_balance(outputs: dict[str, str]) -> None:
    out = outputs[RETIRING.name]
    r = report(RETIRING.answers)
    assert money(r.rmd.amount) == "$10,980.39"  # 280,000 / 25.5 (Uniform Lifetime Table, 74)
    assert r.job_change.rmd_first is not None
    assert "$10,980.39 is paid to you and taxed. It can never be rolled over" in out
    assert "April 1, 2027" in out and "April 1, 2026" not in out
    assert "by age 65" not in out  # no growth to an age already passed


def test_leaving_next_year_is_confirmed_and_taxed_on_that_years_pay(
    outputs: dict[str, str],
) -> None:
    out = outputs[NEXT_YEAR.name]
    assert "So your last day is January 31, 2027?" in out
    assert "about $7,643.84" in out  # 90,000 x 31 / 365
    assert "April 18, 2028" in out  # the loan offset's deadline: Emancipation Day moves it
    r = report(NEXT_YEAR.answers)
    assert r.loan.offset is not None and r.loan.offset.rollover_deadline == date(2028, 4, 18)


def test_married_couple_both_over_65_get_both_deductions(outputs: dict[str, str]) -> None:
    out = outputs[MARRIED.name]
    both = report(MARRIED.answers)
    one = report({**MARRIED.answers, "spouse_age": [60, None]})
    assert cost(both) < cost(one)
    assert money(option(both, "cash_out").federal_tax) in out


def test_cash_out_is_taxed_on_top_of_the_unpaid_loan(outputs: dict[str, str]) -> None:
    out = outputs[LOAN_AND_CASH.name]
    r = report(LOAN_AND_CASH.answers)
    alone = report({**LOAN_AND_CASH.answers, "loan": "0"})
    assert option(r, "cash_out").federal_tax > option(alone, "cash_out").federal_tax
    assert money(option(r, "cash_out").federal_tax) in out


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
def test_the_answer_opens_with_one_screen(person: Person) -> None:
    verdict = first_verdict(person.typed, TODAY)
    assert len(to_plain(verdict.text)) <= 700, to_plain(verdict.text)
    assert verdict.report is None and len(verdict.choices) >= 4
