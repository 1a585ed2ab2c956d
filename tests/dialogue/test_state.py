"""The typed chat state: JSON round trip, the store, the migration from the old dict shape."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.dialogue.machine import handle
from bot.dialogue.state import VERSION, ChatState, restore, stored
from bot.store import SQLiteStore

TODAY = date(2026, 11, 23)

# A state as version 1 stored it (a plain dict with "v"), mid-conversation with a doubt pending.
OLD = {
    "v": 1,
    "mode": "confirming",
    "answers": {"path": "job_change", "age": [45, None], "tax_year": 2026, "age_at_year_end": 45},
    "asked": ["age"],
    "current": "salary",
    "pending": {"key": "salary", "value": "85000", "question": "Did you mean $85,000 a year?"},
}


def test_state_round_trips_through_json() -> None:
    state, _ = handle(None, "/start", today=TODAY)
    for line in ["1", "45", "85k", "yes"]:
        state, _ = handle(state, line, today=TODAY)
    assert state is not None
    again = restore(json.loads(json.dumps(stored(state))))
    assert again == state and again.version == VERSION


def test_the_callers_state_is_never_changed() -> None:
    state, _ = handle(None, "/start", today=TODAY)
    assert state is not None
    before = state.model_copy(deep=True)
    handle(state, "1", today=TODAY)
    assert state == before


def test_an_old_stored_state_loads_and_the_chat_goes_on(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "old.db") as store:
        store.save(7, OLD)
        record = store.load(7)
        assert record is not None
        state = restore(record.state)
        assert isinstance(state, ChatState)
        assert (state.version, state.mode, state.current) == (VERSION, "confirming", "salary")
        assert state.pending is not None and state.pending.value == "85000"
        new, replies = handle(state, "yes", today=TODAY)
        assert new is not None and new.answers["salary"] == "85000"
        assert "Question 3 of" in replies[-1].text
        store.save(7, stored(new))
        saved = store.load(7)
        assert saved is not None and saved.state["version"] == VERSION and "v" not in saved.state


def test_a_state_that_does_not_fit_starts_afresh() -> None:
    assert restore({"mode": "dancing", "answers": []}) is None
    assert restore(None) is None
