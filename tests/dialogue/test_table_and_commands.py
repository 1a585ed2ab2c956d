"""The question table holds every per-question rule; one command list feeds help, menu, README."""

from __future__ import annotations

import ast
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue import commands, questions
from bot.dialogue.machine import handle, help_text
from bot.dialogue.questions import BY_KEY, QUESTIONS, Asking
from bot.dialogue.replies import Button
from bot.wording import messages
from engine import parameters as params

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)
JOB_CHANGE = ["1", "45", "85k", "60000", "none", "none", "2026-12-15", "1"]


def run(lines: list[str], state: Any = None) -> tuple[Any, list[str]]:
    texts: list[str] = []
    for line in lines:
        state, replies = handle(state, line, today=TODAY)
        texts += [r.text for r in replies]
    return state, texts


def test_machine_and_adapters_hold_no_per_question_branch() -> None:
    keys = "|".join(q.key for q in QUESTIONS)
    for name in ("bot/dialogue/machine.py", "bot/console.py", "bot/telegram/app.py"):
        source = (ROOT / name).read_text()
        assert not re.search(rf"""["']({keys})["']""", source), name


def test_adapters_never_open_the_state() -> None:
    for name in ("bot/console.py", "bot/telegram/app.py"):
        source = (ROOT / name).read_text()
        assert not re.search(r"state\[|\.answers|\.mode\b|\.current\b|_question_of", source), name


def test_every_question_is_worded_and_reads_through_its_table_entry() -> None:
    ask = Asking(today=TODAY, tax_year=2026, answers={"balance": "1000"})
    for q in QUESTIONS:
        assert q.text(2026) and q.example(2026)
    assert BY_KEY["employer"].take("5000", ask).error  # the check: more than the balance
    assert BY_KEY["employer"].take("500", ask).value == "500"
    assert BY_KEY["age"].take("45", ask).value == [45, None]
    assert BY_KEY["match"].take("safe harbor", ask).value == [["100", "3"], ["50", "2"]]


def test_catch_up_age_comes_from_the_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    answers: dict[str, Any] = {"path": "saving", "salary": "150000", "tax_year": 2026}
    prior = BY_KEY["prior_wages"]
    assert prior.asked_when({**answers, "age_at_year_end": 52})
    assert not prior.asked_when({**answers, "age_at_year_end": 45})
    real = params.amount

    def younger(name: str, year: int) -> Decimal:
        return Decimal(40) if name == "catch_up_age" else real(name, year)

    monkeypatch.setattr(params, "amount", younger)
    assert prior.asked_when({**answers, "age_at_year_end": 45})


def test_roth_clock_wording_takes_the_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "5-year clock" in BY_KEY["roth_year"].text(2026)
    real = params.get
    monkeypatch.setattr(
        params, "get", lambda n, y: Decimal(7) if n == "roth_five_year_period" else real(n, y)
    )
    assert "7-year clock" in BY_KEY["roth_year"].text(2026)


def test_vesting_buttons_are_described_from_the_law() -> None:
    labels = [c.label for c in questions.SCHEDULES(2026)]
    assert labels[1] == "3-year cliff" and labels[2] == "20% a year (2-6 year graded)"


def test_start_payload_opens_the_path_in_the_dialogue() -> None:
    state, replies = handle(None, "/start job_change", today=TODAY)
    assert state is not None and state.answers["path"] == "job_change"
    assert "Question 1 of" in replies[-1].text
    other, replies = handle(None, "/start nonsense", today=TODAY)
    assert other is not None and "path" not in other.answers
    assert "What brings you here" in replies[-1].text
    again, replies = handle(state, "/start loan", today=TODAY)  # a path already chosen stays
    assert again is not None and again.answers["path"] == "job_change"
    assert "Welcome back" in replies[0].text


def test_why_lists_the_sections_and_shows_only_one() -> None:
    state, _ = run(["/start", *JOB_CHANGE])
    _, listing = handle(state, "/why", today=TODAY)
    assert listing[0].question == "section"  # (then the follow-up question, asked again)
    assert "why:options" in [c.key for c in listing[0].choices]
    _, options = handle(state, "/why options", today=TODAY)
    text = "".join(r.text for r in options)
    assert "Where the figures come from: Your options" in text
    assert "value at retirement" in text and "Most you can borrow" not in text
    _, pressed = handle(state, "", today=TODAY, button=("section", "why:options"))
    assert [r.text for r in pressed] == [r.text for r in options]
    _, unknown = handle(state, "/why limits", today=TODAY)  # not a section of this answer
    assert "no figures under" in unknown[0].text and unknown[0].choices


def test_buttons_come_from_the_reply_not_the_state() -> None:
    state, replies = handle(None, "/start", today=TODAY)
    assert replies[-1].pick("4") == Button("goal", "saving")
    label, pressed = replies[-1].buttons()[0]
    assert label == "I'm changing jobs" and pressed == Button("goal", "job_change")
    new, _ = handle(state, "", today=TODAY, button=pressed)
    assert new is not None and new.answers["path"] == "job_change"


def test_help_and_menu_come_from_the_one_command_list() -> None:
    names = [c.name for c in commands.COMMANDS]
    assert [n for n, _ in commands.menu()] == names
    text = help_text()
    for name, description in commands.menu():
        assert f"/{name} {description}" in text
    assert all(d and len(d) <= 256 for _, d in commands.menu())  # Telegram's limit


def test_readme_lists_every_command() -> None:
    """The README's command list is the one command list, in order, word for word."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    listed = [line for line in section.splitlines() if line.startswith("- `/")]
    assert listed == commands.readme_lines()


def test_no_dollar_amount_in_the_dialogue_code_and_only_examples_in_its_messages() -> None:
    files = [*(ROOT / "bot/dialogue").rglob("*.py"), ROOT / "bot/console.py"]
    files += list((ROOT / "bot/telegram").glob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text())
        docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in docs:
                continue
            if isinstance(node.value, str):
                assert not re.search(r"\$\s?\d", node.value), (path, node.value)
    for key, text in messages().items():
        if key.startswith("dialogue.") and re.search(r"\$\s?\d", text):
            assert key.rsplit(".", 1)[-1].startswith("example"), key
