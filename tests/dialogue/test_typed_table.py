"""Typed goals and answers, from a table (tests/dialogue/typed/table.yaml), through the machine.

Each goal typed at the first question starts its path; each answer typed at its question is
stored as the table says, at once or after the doubt is confirmed with "yes".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.dialogue.machine import handle
from bot.dialogue.replies import Reply
from bot.dialogue.state import ChatState

TODAY = date(2026, 12, 3)
TABLE = yaml.safe_load((Path(__file__).parent / "typed" / "table.yaml").read_text())
# What is typed (or the button pressed, as a one-element list) on the way to a question.
ON_THE_WAY: dict[str, dict[str, Any]] = {
    "job_change": {
        "age": "45",
        "salary": "85k",
        "balance": "60000",
        "employer": "12000",
        "schedule": ["graded6"],
        "start_date": "2023-03-01",
        "loan": "8000",
        "leaving_date": "2026-12-15",
        "filing": ["single"],
        "new_plan": ["yes"],
        "state_tax": "5",
    },
    "saving": {"age": "45", "retirement_age": "65", "salary": "85k", "balance": "60000"},
    "retiring": {
        "age": "64",
        "retirement_age": "65",
        "salary": "60k",
        "savings": "500000",
        "spending": "5000",
        "essential": "3000",
        "social_security": "0",
        "pension": "0",
    },
}


def at(path: str, question: str, given: dict[str, Any]) -> tuple[ChatState, list[Reply]]:
    """The chat when `question` is asked on `path`, answered on the way as ON_THE_WAY says."""
    answers = {**ON_THE_WAY[path], **given}
    state, replies = handle(None, "/start", today=TODAY)
    state, replies = handle(state, "", today=TODAY, button=("goal", path))
    for _ in range(40):
        assert state is not None
        if state.mode == "asking" and state.current == question:
            return state, replies
        if state.mode == "confirming":
            state, replies = handle(state, "yes", today=TODAY)
            continue
        assert state.current is not None, replies[-1].text
        typed = answers[state.current]
        if isinstance(typed, list):
            state, replies = handle(state, "", today=TODAY, button=(state.current, typed[0]))
        else:
            state, replies = handle(state, typed, today=TODAY)
    raise AssertionError(f"{question} was never asked on {path}")


@pytest.mark.parametrize("row", TABLE["goals"], ids=lambda r: r["typed"])
def test_a_typed_goal_starts_its_path(row: dict[str, str]) -> None:
    state, _ = handle(None, "/start", today=TODAY)
    state, replies = handle(state, row["typed"], today=TODAY)
    assert state is not None and state.answers.get("path") == row["path"]
    assert "Question 1 of" in replies[-1].text


@pytest.mark.parametrize("row", TABLE["answers"], ids=lambda r: f"{r['question']}: {r['typed']}")
def test_a_typed_answer_is_read(row: dict[str, Any]) -> None:
    state, _ = at(row["path"], row["question"], row.get("given", {}))
    state, replies = handle(state, row["typed"], today=TODAY)
    assert state is not None
    if "confirm" in row:
        assert state.mode == "confirming", replies[-1].text
        assert row["confirm"] in replies[-1].text
        assert row["question"] not in state.answers
        state, replies = handle(state, "yes", today=TODAY)
        assert state is not None
    else:
        assert state.mode != "confirming", replies[-1].text
    assert state.answers.get(row["question"]) == row["value"], [r.text for r in replies]


def test_the_table_is_big_and_has_every_case_from_the_issue() -> None:
    goals = {r["typed"] for r in TABLE["goals"]}
    answers = {r["typed"] for r in TABLE["answers"]}
    assert len(goals) + len(TABLE["answers"]) >= 60
    assert goals >= {
        "401k loan",
        "borrow from my 401k",
        "switching jobs",
        "new job",
        "leaving my job",
        "cash out",
        "hardship",
        "am i saving enough",
        "what if I get laid off",
        "should I roll over",
    }
    assert answers >= {
        "no loan",
        "nope",
        "paid off",
        "owe 8k",
        "yes about 20k",
        "15k roth",
        "no state tax",
        "half",
        "last friday",
        "back in august",
        "in March",
        "the 15th",
        "June 2010",
        "marreid",
        "the max",
        "my new job doesnt have a 401k",
    }


def test_what_the_first_question_cannot_place_gets_one_line_and_the_choices() -> None:
    state, _ = handle(None, "/start", today=TODAY)
    state, replies = handle(state, "hmm, what is this?", today=TODAY)
    assert state is not None and "path" not in state.answers
    (reply,) = replies
    assert reply.question == "goal" and len(reply.choices) == 5
    assert len(reply.text.splitlines()) == 1
