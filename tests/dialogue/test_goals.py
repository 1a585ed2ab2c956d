"""Goals typed in words at the first question go to their path; what is not placed gets one line."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue.goals import goal_of
from bot.dialogue.machine import handle

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("typed", "path"),
    [
        ("401k loan", "loan"),
        ("borrow from my 401k", "loan"),
        ("Can I borrow from my 401(k)?", "loan"),
        ("switching jobs", "job_change"),
        ("new job", "job_change"),
        ("leaving my job", "job_change"),
        ("should I roll over", "job_change"),
        ("cash out", "withdrawal"),
        ("hardship", "withdrawal"),
        ("am i saving enough", "saving"),
        ("am I on track?", "saving"),
        ("I'm about to retire", "retiring"),
    ],
)
def test_a_typed_goal_starts_its_path(typed: str, path: str) -> None:
    assert goal_of(typed) == path
    state, replies = handle(None, "/start", today=TODAY)
    state, replies = handle(state, typed, today=TODAY)
    assert state is not None and state.answers["path"] == path
    assert "Question 1 of" in replies[-1].text


def test_what_is_not_placed_gets_one_line_and_the_choices() -> None:
    state, replies = handle(None, "/start", today=TODAY)
    state, replies = handle(state, "hello there", today=TODAY)
    assert len(replies) == 1
    assert "I didn't catch which one" in replies[0].text
    assert "Hi! I help you" not in replies[0].text
    assert len(replies[0].choices) == 5 and replies[0].question == "goal"
