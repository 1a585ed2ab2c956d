"""The finished answer in the dialogue: the verdict first, a section per tap, /why scoped, typed
topics, and never a message without a button path back."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.dialogue.machine import handle
from bot.dialogue.replies import Reply
from bot.dialogue.state import ChatState, restore, stored
from bot.render import to_plain
from bot.render.sections import SECTION, SOURCES, VERDICT, WHY
from bot.telegram.outgoing import callback_data
from tests.dialogue.walk import sections_read

TODAY = date(2026, 12, 3)
# 45, $85k, $60,000 with $12,000 from the employer on a 3-year cliff started 2024, a $10k loan.
LOAN_AND_VESTING = ["/start", "1", "45", "$85k", "60,000", "12000", "2", "2024-06-01", "10k"]
LOAN_AND_VESTING += ["December 15", "1"]
NOTHING_MORE = ["3", "0", "none", "no", "no", "skip", "skip"]


def run(lines: list[str]) -> tuple[Any, list[Reply]]:
    """Feed typed lines; return the final state and every reply."""
    state: Any = None
    out: list[Reply] = []
    for line in lines:
        state, replies = handle(state, line, today=TODAY)
        out += replies
    return state, out


def press(state: ChatState, key: str) -> list[Reply]:
    """A section button pressed (the state is not kept)."""
    _, replies = handle(state, "", today=TODAY, button=(SECTION, key))
    return replies


def has_way_back(reply: Reply) -> bool:
    """A reply whose buttons open the answer's sections."""
    return reply.question == SECTION and len(reply.choices) > 1


@pytest.fixture(scope="module")
def answered() -> ChatState:
    """The person above, every follow-up answered."""
    state, _ = run(LOAN_AND_VESTING + NOTHING_MORE)
    assert state is not None and state.mode == "answered"
    return state


def test_the_answer_opens_with_the_verdict_and_its_buttons() -> None:
    _, replies = run(LOAN_AND_VESTING)
    verdict = next(r for r in replies if r.question == SECTION)
    assert "My suggestion" in verdict.text and len(to_plain(verdict.text)) <= 700
    assert verdict.report is None  # no chart with the verdict
    keys = [c.key for c in verdict.choices]
    assert {"options", "cash_out", "loan", "vesting", "plan", "chart", SOURCES} <= set(keys)
    assert replies[-1].question == "new_plan"  # then the first follow-up question


def test_every_button_fits_telegram_callback_data(answered: ChatState) -> None:
    _, listing = handle(answered, "/why", today=TODAY)
    buttons = [b for r in [*sections_read(answered, TODAY), *listing] for _, b in r.buttons()]
    assert buttons and all(len(callback_data(b).encode()) <= 64 for b in buttons)


def test_a_person_without_a_loan_gets_no_loan_button() -> None:
    state, _ = run(["/start", "1", "45", "$85k", "60,000", "none", "none", "December 15", "1"])
    keys = [c.key for c in press(state, VERDICT)[0].choices]
    assert "loan" not in keys and "vesting" not in keys and "options" in keys


def test_every_section_has_the_buttons_and_the_chart_follows_only_options_and_chart(
    answered: ChatState,
) -> None:
    shown = sections_read(answered, TODAY)
    assert len(shown) >= 8
    for reply in shown:
        assert has_way_back(reply), reply.text[:80]
        assert len(to_plain(reply.text)) < 4096
    charted = {r.choices[0].key for r in shown if r.report is not None}
    assert charted == {VERDICT}  # only section replies (their first button: the short answer)
    options = press(answered, "options")[0]
    assert options.report is not None and "side by side" in options.text
    assert "options" not in [c.key for c in options.choices]
    assert press(answered, "chart")[0].report is not None
    assert press(answered, "loan")[0].report is None


def test_why_lists_the_sections_then_shows_one_in_words(answered: ChatState) -> None:
    _, listing = handle(answered, "/why", today=TODAY)
    assert len(listing) == 1 and has_way_back(listing[0])
    keys = [c.key for c in listing[0].choices]
    assert f"{WHY}loan" in keys and f"{WHY}vesting" in keys
    for key in keys:
        for reply in press(answered, key):
            assert has_way_back(reply)
    loan = "".join(r.text for r in press(answered, f"{WHY}loan"))
    assert "Most you can borrow" not in loan and "loan.offset" not in loan
    _, typed = handle(answered, "/why vesting", today=TODAY)
    assert "Vesting" in typed[0].text and "vesting.portable_balance" not in typed[0].text
    assert "Where the figures come from: Vesting" in typed[0].text


def test_the_sources_button_is_the_why_list(answered: ChatState) -> None:
    _, listing = handle(answered, "/why", today=TODAY)
    assert [r.text for r in press(answered, SOURCES)] == [r.text for r in listing]


def test_follow_up_changes_stay_short_and_carry_the_buttons() -> None:
    state, replies = run(LOAN_AND_VESTING)
    for typed in ["3", "5", "15k", "skip", "skip", "no", "no", "skip", "skip"]:
        state, replies = handle(state, typed, today=TODAY)
        changes = [r for r in replies if r.question == SECTION]
        assert changes, typed
        for change in changes:
            assert has_way_back(change) and len(to_plain(change.text)) <= 1200, change.text


TOPICS = [
    ("what if I get laid off", "Your 401(k) loan"),
    ("should I roll over", "My suggestion"),
    ("is this taxed", "If you cash it all out"),
    ("what about my loan", "Your 401(k) loan"),
    ("vesting?", "Vesting"),
    ("Cash-out cost", "If you cash it all out"),
    ("what to do", "What to do, by when"),
    ("what did you assume", "What I assumed"),
    ("show me my options", "side by side"),
    ("short answer", "First deadline"),
]


@pytest.mark.parametrize(("typed", "expected"), TOPICS)
def test_a_typed_topic_after_the_answer_shows_its_section(
    answered: ChatState, typed: str, expected: str
) -> None:
    _, replies = handle(answered, typed, today=TODAY)
    assert len(replies) == 1 and expected in replies[0].text
    assert has_way_back(replies[0])


def test_show_the_chart_sends_the_chart(answered: ChatState) -> None:
    _, replies = handle(answered, "show the chart", today=TODAY)
    assert replies[0].report is not None and has_way_back(replies[0])


def test_what_it_cannot_place_gets_one_short_line_and_the_buttons(answered: ChatState) -> None:
    _, replies = handle(answered, "tell me a joke", today=TODAY)
    assert len(replies) == 1 and len(to_plain(replies[0].text)) < 150
    assert has_way_back(replies[0])
    _, replies = handle(answered, "what about my roth?", today=TODAY)  # no Roth money
    assert len(replies) == 1 and has_way_back(replies[0])
    assert "Roth money" not in [c.label for c in replies[0].choices]


def test_a_section_tapped_while_a_follow_up_waits_asks_it_again() -> None:
    state, _ = run(LOAN_AND_VESTING)
    replies = press(state, "vesting")
    assert "Vesting" in replies[0].text and replies[-1].question == "new_plan"
    new, _ = handle(state, "", today=TODAY, button=(SECTION, "vesting"))
    assert new is not None and new.answers == state.answers


def test_a_section_button_before_the_answer_is_an_earlier_question() -> None:
    state, _ = run(["/start", "1", "45"])
    _, replies = handle(state, "", today=TODAY, button=(SECTION, "options"))
    assert "earlier question" in replies[0].text


def test_a_state_stored_before_sections_still_loads_and_answers() -> None:
    state, _ = run(LOAN_AND_VESTING + NOTHING_MORE)
    old = stored(state)
    old.pop("version")
    old["v"] = 1  # the first stored shape
    restored = restore(old)
    assert restored is not None and restored.answered_once
    assert has_way_back(press(restored, "options")[0])
