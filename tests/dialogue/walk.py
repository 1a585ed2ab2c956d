"""A finished answer read in full: the verdict, then every section's button pressed in turn."""

from __future__ import annotations

from datetime import date

from bot.dialogue.machine import handle
from bot.dialogue.replies import Reply
from bot.dialogue.state import ChatState
from bot.render.sections import SECTION, SOURCES, VERDICT


def sections_read(state: ChatState | None, today: date) -> list[Reply]:
    """The verdict and each section it offers, as replies (the chat's state is not changed)."""
    if state is None or not state.answered_once:
        return []
    _, shown = handle(state, "", today=today, button=(SECTION, VERDICT))
    verdict = shown[0]
    out = [verdict]
    for choice in verdict.choices:
        if choice.key != SOURCES:
            _, replies = handle(state, "", today=today, button=(SECTION, choice.key))
            out.append(replies[0])
    return out


def every_section(state: ChatState | None, today: date) -> list[str]:
    """The texts of the verdict and of every section it offers."""
    return [r.text for r in sections_read(state, today)]


def first_verdict(typed: list[str], today: date) -> Reply:
    """The first message of the answer a typed conversation reaches (through the machine)."""
    state: ChatState | None = None
    for line in ["/start", *typed]:
        state, replies = handle(state, line, today=today)
        for reply in replies:
            if reply.question == SECTION:
                return reply
    raise AssertionError("the conversation reached no answer")
