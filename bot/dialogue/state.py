"""The chat's typed state: what has been answered and what the chat waits for (versioned JSON)."""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

VERSION = 2
_LOG = logging.getLogger(__name__)

Mode = Literal["start", "goal", "asking", "confirming", "edit_pick", "confirm_forget", "answered"]
Answers = dict[str, JsonValue]


class OldAnswer(BaseModel):
    """The answer being changed (/back or /edit): offered again as 'keep'."""

    model_config = ConfigDict(extra="forbid")

    key: str
    value: JsonValue


class Pending(BaseModel):
    """A doubtful answer waiting for yes or no, with the question that asked about it."""

    model_config = ConfigDict(extra="forbid")

    key: str
    value: JsonValue
    question: str


class ChatState(BaseModel):
    """One chat: its answers (JSON values by question key) and where the conversation is."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    version: int = VERSION
    mode: Mode = "start"
    answers: Answers = Field(default_factory=dict)
    asked: list[str] = Field(default_factory=list)
    current: str | None = None
    old: OldAnswer | None = None
    pending: Pending | None = None
    resume_mode: Mode | None = None
    answered_once: bool = False


def migrate(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored state of any earlier version in the current shape (version 1: key "v")."""
    data = dict(stored)
    if "version" not in data:
        data.pop("v", None)  # version 1: same fields, the version was called "v"
        data["version"] = VERSION
    return data


def restore(stored: dict[str, Any] | None) -> ChatState | None:
    """The state of a stored JSON object (of this or an earlier version); None starts afresh."""
    if stored is None:
        return None
    try:
        return ChatState.model_validate(migrate(stored))
    except ValidationError as exc:  # never echo the answers: they may hold a salary
        _LOG.warning(
            "stored chat state does not fit (%d errors); starting afresh", exc.error_count()
        )
        return None


def stored(state: ChatState) -> dict[str, Any]:
    """The JSON object the store keeps for a state."""
    return state.model_dump(mode="json")
