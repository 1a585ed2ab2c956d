"""Three savers and three retirees, typed through the real console.

Each conversation runs in a real `python -m bot console` process; the whole output is compared
with a reviewed snapshot in tests/dialogue/people/ (UPDATE_SNAPSHOTS=1 rewrites them), and the
figures are checked against the engine on the same answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
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


@dataclass(frozen=True)
class Person:
    """A conversation: what is typed, and the answers it must store."""

    name: str
    typed: list[str]
    answers: dict[str, Any]


def report(answers: dict[str, Any]) -> Report:
    """The engine's report on the stored answers."""
    return evaluate(build_profile(answers, TODAY))


def saver(
    name: str, age: int, pay: str, balance: str, percent: str, last_year: str | None = None
) -> Person:
    """A saver on the "Am I saving right?" path, retiring at 65 with the safe harbor match."""
    typed = ["4", str(age), "65", pay, balance, percent, "1"]
    typed += [last_year] if last_year else []
    typed += ["Where it's heading", "Saving & match", "How it's invested", "Limits", "What to do"]
    typed += ["What I assumed"]
    answers = {
        "path": "saving",
        "age": [age, None],
        "retirement_age": 65,
        "salary": pay.replace("$", "").replace("k", "000"),
        "balance": balance.replace("$", "").replace("k", "000"),
        "contribution": percent.rstrip("%"),
        "match": [["100", "3"], ["50", "2"]],
    }
    if last_year:
        answers["prior_wages"] = last_year.replace("$", "").replace("k", "000")
    return Person(name, typed, answers)


SAVERS = [
    saver("30-saver", 30, "$60k", "15k", "4%"),
    saver("45-saver", 45, "$120k", "150k", "6%"),
    saver("61-saver", 61, "$240k", "600k", "6%", "$230k"),
]


def retiree(name: str, savings: str, spending: str, essential: str, social: str) -> Person:
    """A 64-year-old stopping work now, Social Security at 67, 60% stocks, single."""
    typed = ["5", "64", "now", "0", savings, spending, essential, social, "67", "none", "60%", "1"]
    typed += ["skip"]  # no annuity quote
    typed += ["Your retirement", "Later years", "How it's invested", "What to do", "What I assumed"]
    typed += ["Chart"]  # every section opened, the chart last
    amount = {"k": "000"}
    answers = {
        "path": "retiring",
        "age": [64, None],
        "retirement_age": 64,
        "salary": "0",
        "savings": savings.replace("k", amount["k"]),
        "spending": spending.split()[0].replace(",", ""),
        "essential": essential.split()[0].replace(",", ""),
        "social_security": social.split()[0].replace(",", ""),
        "ss_age": 67,
        "pension": "0",
        "stock_share": "60",
        "filing": "single",
    }
    return Person(name, typed, answers)


RETIREES = [
    retiree("64-retiree-enough", "1500k", "5,000 a month", "3,500", "2,600 a month"),
    retiree("64-retiree-short", "800k", "5,000 a month", "3,500", "2,400 a month"),
    retiree("64-retiree-very-short", "500k", "5,000 a month", "4,000", "1,800 a month"),
]
PEOPLE = SAVERS + RETIREES


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


@pytest.mark.parametrize("person", SAVERS, ids=[p.name for p in SAVERS])
def test_saver_sees_where_it_is_heading_and_the_room_left(
    person: Person, outputs: dict[str, str]
) -> None:
    out = outputs[person.name]
    s = report(person.answers).saving
    assert s is not None
    assert "couldn't read" not in out
    assert f"about {money(s.projected_balance)} at 65" in out
    assert s.yearly_income_estimate is not None and money(s.yearly_income_estimate) in out
    assert f"You can still put in {money(s.room_left)} this year" in out
    assert money(s.tax_saved_if_max) in out
    assert "Roth or traditional?" in out
    assert "110 minus your age" in out


def test_the_61_year_old_is_told_about_the_catch_up() -> None:
    s = report(SAVERS[2].answers).saving
    assert s is not None and s.catch_up_room > 0


@pytest.mark.parametrize("person", RETIREES, ids=[p.name for p in RETIREES])
def test_retiree_sees_every_historical_retirement(person: Person, outputs: dict[str, str]) -> None:
    out = outputs[person.name]
    t = report(person.answers).retirement
    assert t is not None and t.historical is not None
    h = t.historical
    assert "couldn't read" not in out
    assert f"the money lasted in {h.lasted} of {h.cohorts}" in out
    assert f"The savings must cover {money(t.income_gap_monthly or 0)} a month" in out
    assert "(Chart: <tmp>/charts/retirement-" in out


def test_the_three_retirees_are_enough_short_and_very_short() -> None:
    rates = []
    for p in RETIREES:
        t = report(p.answers).retirement
        assert t is not None and t.historical is not None
        rates.append(t.historical.success_rate)
    assert rates[0] == 1
    assert 0 < rates[2] < rates[1] < 1


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
def test_the_answer_opens_with_one_screen(person: Person) -> None:
    verdict = first_verdict(person.typed, TODAY)
    assert len(to_plain(verdict.text)) <= 700, to_plain(verdict.text)
    assert verdict.report is None and len(verdict.choices) >= 4
