"""The pure state machine: flows, commands, stale buttons, and that no input breaks it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.dialogue.machine import handle
from bot.dialogue.state import stored
from engine import SUPPORTED_YEARS

TODAY = date(2026, 11, 23)


def run(lines: list[str], state: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    """Feed typed lines; return the final state and every reply text."""
    texts: list[str] = []
    for line in lines:
        state, replies = handle(state, line, today=TODAY)
        texts += [r.text for r in replies]
    return state, texts


def test_a_whole_job_change_fills_the_answers() -> None:
    state, texts = run(["/start", "1", "45", "85k", "60000", "none", "none", "2026-12-15", "1"])
    assert state.mode in ("asking", "answered")
    assert state.answers["salary"] == "85000"
    assert any("Cash it out" in t or "cash" in t.lower() for t in texts)
    json.dumps(stored(state))  # the state is JSON


def test_stale_button_is_answered_gracefully() -> None:
    state, _ = run(["/start", "1", "45"])
    new, replies = handle(state, "", today=TODAY, button=("filing", "single"))
    assert new is not None and new.answers == state.answers
    assert "earlier question" in replies[0].text


def test_button_answers_the_current_question() -> None:
    state, _ = run(["/start"])
    new, _ = handle(state, "", today=TODAY, button=("goal", "saving"))
    assert new is not None and new.answers["path"] == "saving"


def test_forget_asks_then_deletes_and_no_keeps() -> None:
    state, _ = run(["/start", "1", "45"])
    asked, replies = handle(state, "/forget", today=TODAY)
    assert asked is not None and "Delete everything" in replies[0].text
    kept, _ = handle(asked, "no", today=TODAY)
    assert kept is not None and kept.answers["age"] == [45, None]
    gone, _ = handle(asked, "yes", today=TODAY)
    assert gone is None


def test_restart_clears_answers() -> None:
    state, _ = run(["/start", "1", "45", "/restart"])
    assert state.answers == {}


def test_back_offers_the_old_answer_and_keep_keeps_it() -> None:
    state, _ = run(["/start", "1", "45", "85k"])
    state, replies = handle(state, "/back", today=TODAY)
    assert "$85,000" in replies[-1].text
    state, _ = handle(state, "keep", today=TODAY)
    assert state is not None and state.answers["salary"] == "85000"
    assert state.current == "balance"


def test_doubtful_salary_is_confirmed_not_stored() -> None:
    state, _ = run(["/start", "1", "45", "85"])
    assert "salary" not in state.answers
    state, _ = handle(state, "yes", today=TODAY)
    assert state is not None and state.answers["salary"] == "85000"


def test_unsupported_year_uses_latest_and_says_so() -> None:
    state: Any = None
    texts: list[str] = []
    for line in ["/start", "4", "45", "65", "85k", "10k", "6%", "50% up to 6%"]:
        state, replies = handle(state, line, today=date(max(SUPPORTED_YEARS) + 1, 2, 1))
        texts += [r.text for r in replies]
    assert any(f"{max(SUPPORTED_YEARS)} rules" in t for t in texts)


def test_unknown_command_and_help() -> None:
    _, texts = run(["/start", "/frobnicate"])
    assert "don't know that command" in texts[-1]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "/start",
                    "/back",
                    "/edit",
                    "/summary",
                    "/why",
                    "/restart",
                    "/forget",
                    "yes",
                    "no",
                    "1",
                    "2",
                    "45",
                    "85k",
                    "none",
                    "keep",
                    "skip",
                    "2026-12-15",
                    "idk",
                ]
            ),
        ),
        max_size=25,
    )
)
def test_no_input_sequence_raises(lines: list[str]) -> None:
    state: Any = None
    for line in lines:
        state, replies = handle(state, line, today=TODAY)
        assert replies, "every input gets an answer"
        if state is not None:
            json.dumps(stored(state))
