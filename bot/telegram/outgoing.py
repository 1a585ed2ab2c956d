"""Replies as outbox entries, and the plainer forms sent when Telegram rejects one (400)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from markupsafe import Markup
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit, ReplyLimit

from bot.dialogue.replies import Button, Reply
from bot.render.telegram_html import to_plain
from bot.store import Outgoing
from bot.wording import say

CALLBACK_PREFIX = "a"
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # visible characters (UTF-16 units) of one message
MAX_CAPTION = MessageLimit.CAPTION_LENGTH
MAX_PLACEHOLDER = ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER
MAX_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # bytes of a button's data
MAX_LABEL = 60  # a button label longer than this is cut (a phone shows less anyway)
SHORT_LABEL = 14  # labels this short share a row: two to a row
TINY_LABEL = 9  # and these three to a row ("Yes", "No", "Not sure")

Method = Literal["send", "edit", "unbutton"]


def callback_data(button: Button) -> str:
    """A button's data: a:<question>:<choice> (at most 64 bytes, checked in tests)."""
    return f"{CALLBACK_PREFIX}:{button.question}:{button.choice}"


def parse_callback(data: str) -> Button | None:
    """The button pressed, or None for a foreign button."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX:
        return None
    return Button(parts[1], parts[2])


def u16len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def message(
    html: str, keyboard: list[list[str]] | None = None, placeholder: str | None = None
) -> Outgoing:
    """A text message in Telegram HTML, with buttons as [label, callback data] pairs.

    A placeholder (a free-text question's example) asks for a reply with ForceReply, shown in
    the input field; buttons, when there are any, take its place (a message has one markup).
    """
    body: dict[str, Any] = {"kind": "text", "html": html, "keyboard": keyboard or []}
    if placeholder:
        body["placeholder"] = placeholder
    return Outgoing(body)


def photo(png: bytes, caption: str) -> Outgoing:
    """A chart."""
    return Outgoing({"kind": "photo", "caption": caption}, png)


def chosen(message_id: int, question_html: str, label: str) -> Outgoing:
    """The pressed question's message edited to show the choice, its keyboard removed."""
    html = say("telegram.native.chosen", question=Markup(question_html), label=label)
    if not question_html or not label or u16len(to_plain(html)) > MAX_TEXT:
        return unbutton(message_id)
    return Outgoing({"kind": "edit", "message_id": message_id, "html": html})


def unbutton(message_id: int) -> Outgoing:
    """An earlier question's keyboard removed (its text stays as it was)."""
    return Outgoing({"kind": "unbutton", "message_id": message_id})


def pressed(message_id: int | None, html: str, label: str, *, stale: bool) -> list[Outgoing]:
    """A pressed button's message: edited to show the choice, or (a stale one) unbuttoned."""
    if message_id is None:
        return []
    return [unbutton(message_id) if stale else chosen(message_id, html, label)]


def from_reply(reply: Reply) -> Outgoing:
    """A dialogue reply as an outbox entry."""
    keys = [[label[:MAX_LABEL], callback_data(button)] for label, button in reply.buttons()]
    return message(reply.text, keys, reply.placeholder)


def rows(keyboard: list[Any]) -> list[list[Any]]:
    """Buttons laid out in rows: runs of short labels two or three to a row, long ones alone."""
    out: list[list[Any]] = []
    run: list[Any] = []

    def flush() -> None:
        """Spread the run of short buttons evenly over as few rows as fit."""
        if not run:
            return
        per = 3 if all(len(str(b[0])) <= TINY_LABEL for b in run) else 2
        count = math.ceil(len(run) / per)
        size, extra = divmod(len(run), count)
        start = 0
        for i in range(count):
            end = start + size + (1 if i < extra else 0)
            out.append(run[start:end])
            start = end
        run.clear()

    for button in keyboard:
        if len(str(button[0])) <= SHORT_LABEL:
            run.append(button)
            continue
        flush()
        out.append([button])
    flush()
    return out


def markup(
    keyboard: Any, placeholder: str | None = None
) -> InlineKeyboardMarkup | ForceReply | None:
    """The stored [label, data] pairs as an inline keyboard, else ForceReply for typed answers."""
    if keyboard:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(str(label), callback_data=str(data)) for label, data in row]
                for row in rows(list(keyboard))
            ]
        )
    if placeholder:
        return ForceReply(input_field_placeholder=placeholder[:MAX_PLACEHOLDER])
    return None


@dataclass(frozen=True)
class Attempt:
    """One form of a reply to try: messages to send (text, HTML or not) and the buttons.

    `method` says what the form does: send new messages, edit an earlier message's text
    (`message_id`), or remove an earlier message's keyboard.
    """

    texts: list[str]
    html: bool
    keyboard: list[list[str]]
    photo: bytes | None = None
    placeholder: str | None = None
    method: Method = "send"
    message_id: int | None = None


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """Text cut at line ends into pieces Telegram accepts (never empty), counted in UTF-16."""
    out: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while u16len(line) > size:
            if current:
                out.append(current)
                current = ""
            cut = _fit(line, size)
            out.append(line[:cut])
            line = line[cut:]
        if u16len(current) + u16len(line) > size:
            out.append(current)
            current = ""
        current += line
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()] or ["…"]


def _fit(line: str, size: int) -> int:
    """How many characters of line fit in size UTF-16 units (at least one)."""
    used = 0
    for i, ch in enumerate(line):
        used += u16len(ch)
        if used > size:
            return max(i, 1)
    return len(line)


def attempts(body: dict[str, Any], png: bytes | None) -> list[Attempt]:
    """The forms to try in order: as written, then plain text, then without buttons, then a note."""
    notice = Attempt([to_plain(say("telegram.reply_failed"))], False, [])
    kind = body.get("kind")
    if kind in ("edit", "unbutton"):
        target = body.get("message_id")
        message_id = target if isinstance(target, int) else None
        removal = Attempt([""], False, [], method="unbutton", message_id=message_id)
        if kind == "unbutton":
            return [removal]
        html = str(body.get("html") or "")
        return [Attempt([html], True, [], method="edit", message_id=message_id), removal]
    if kind == "photo":
        caption = str(body.get("caption") or "")
        if u16len(caption) > MAX_CAPTION:
            caption = chunks(caption, MAX_CAPTION)[0]
        return [
            Attempt([caption], False, [], png),
            Attempt([to_plain(say("telegram.chart_failed"))], False, []),
        ]
    html = str(body.get("html") or "")
    keyboard = list(body.get("keyboard") or [])
    placeholder = body.get("placeholder")
    hint = str(placeholder) if placeholder else None
    plain = chunks(to_plain(html))
    return [
        Attempt([html], True, keyboard, placeholder=hint),
        Attempt(plain, False, keyboard),
        Attempt(plain, False, []),
        notice,
    ]
