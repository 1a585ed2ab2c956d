"""Replies as outbox entries, and the plainer forms sent when Telegram rejects one (400)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dialogue.replies import Button, Reply
from bot.render.telegram_html import to_plain
from bot.store import Outgoing
from bot.wording import say

CALLBACK_PREFIX = "a"
PLAIN_CHUNK = 4000  # below Telegram's 4096 characters a message


def callback_data(button: Button) -> str:
    """A button's data: a:<question>:<choice> (at most 64 bytes, checked in tests)."""
    return f"{CALLBACK_PREFIX}:{button.question}:{button.choice}"


def parse_callback(data: str) -> Button | None:
    """The button pressed, or None for a foreign button."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX:
        return None
    return Button(parts[1], parts[2])


def message(html: str, keyboard: list[list[str]] | None = None) -> Outgoing:
    """A text message in Telegram HTML, with buttons as [label, callback data] pairs."""
    return Outgoing({"kind": "text", "html": html, "keyboard": keyboard or []})


def photo(png: bytes, caption: str) -> Outgoing:
    """A chart."""
    return Outgoing({"kind": "photo", "caption": caption}, png)


def from_reply(reply: Reply) -> Outgoing:
    """A dialogue reply as an outbox entry."""
    keys = [[label[:60], callback_data(button)] for label, button in reply.buttons()]
    return message(reply.text, keys)


def markup(keyboard: Any) -> InlineKeyboardMarkup | None:
    """The stored [label, data] pairs as an inline keyboard, one button a row."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(label), callback_data=str(data))] for label, data in keyboard]
    )


@dataclass(frozen=True)
class Attempt:
    """One form of a reply to try: messages to send (text, HTML or not) and the buttons."""

    texts: list[str]
    html: bool
    keyboard: list[list[str]]
    photo: bytes | None = None


def chunks(text: str, size: int = PLAIN_CHUNK) -> list[str]:
    """Text cut at line ends into pieces Telegram accepts (never empty)."""
    out: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            if current:
                out.append(current)
                current = ""
            out.append(line[:size])
            line = line[size:]
        if len(current) + len(line) > size:
            out.append(current)
            current = ""
        current += line
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()] or ["…"]


def attempts(body: dict[str, Any], png: bytes | None) -> list[Attempt]:
    """The forms to try in order: as written, then plain text, then without buttons, then a note."""
    notice = Attempt([to_plain(say("telegram.reply_failed"))], False, [])
    if body.get("kind") == "photo":
        caption = str(body.get("caption") or "")
        return [
            Attempt([caption], False, [], png),
            Attempt([to_plain(say("telegram.chart_failed"))], False, []),
        ]
    html = str(body.get("html") or "")
    keyboard = list(body.get("keyboard") or [])
    plain = chunks(to_plain(html))
    return [
        Attempt([html], True, keyboard),
        Attempt(plain, False, keyboard),
        Attempt(plain, False, []),
        notice,
    ]
