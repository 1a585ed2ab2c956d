"""What the dialogue hands an adapter: messages, their buttons, and the report to draw."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, NamedTuple

from bot.wording import say
from engine import Report


def plain(key: str, /, **values: Any) -> str:
    """A message as plain text (button labels and echoed answers are not HTML)."""
    return html.unescape(say(key, **values))


class Choice(NamedTuple):
    """One button: the answer it gives (key) and what it says (label)."""

    key: str
    label: str


class Button(NamedTuple):
    """A pressed button: the question it answers and the choice."""

    question: str
    choice: str


@dataclass(frozen=True)
class Reply:
    """One message to the person: Telegram HTML text, its buttons, and a report to chart."""

    text: str
    choices: tuple[Choice, ...] = ()
    question: str | None = None  # what the buttons answer (a stale button is recognised)
    report: Report | None = None  # the report behind the answer, when it has a chart
    placeholder: str | None = None  # a free-text question's example, for the input field

    @property
    def has_chart(self) -> bool:
        """Whether the adapter should draw the report's chart after this message."""
        return self.report is not None

    def buttons(self) -> list[tuple[str, Button]]:
        """Each choice as (label, the Button it presses); none when nothing is asked."""
        if self.question is None:
            return []
        return [(c.label, Button(self.question, c.key)) for c in self.choices]

    def pick(self, typed: str) -> Button | None:
        """The button a typed number or exact label presses (the console's way to tap)."""
        t = typed.strip().rstrip(".")
        if self.question is None or not self.choices:
            return None
        if t.isdigit() and 1 <= int(t) <= len(self.choices):
            return Button(self.question, self.choices[int(t) - 1].key)
        for c in self.choices:
            if t.casefold() == c.label.casefold():
                return Button(self.question, c.key)
        return None
