"""What an update from Telegram carries, read defensively (an unreadable one is skipped)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Message
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.store import Received

Kind = Literal["text", "button", "other", "edited"]
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # Telegram's longest message, in characters


class UnreadableUpdate(ValueError):
    """An update whose shape is not what the Bot API documents; the reason names no content."""


@dataclass(frozen=True)
class Incoming:
    """One update as the adapter needs it: who, what kind, and the text or button data."""

    update_id: int
    chat_id: int
    chat_type: str
    kind: Kind
    text: str = ""
    data: str = ""
    callback_id: str | None = None
    unanswered: tuple[str, ...] = ()  # digests of the chat's messages unanswered on arrival
    message_id: int | None = None  # the message whose button was pressed
    message_html: str = ""  # that message's text, as Telegram HTML (to show the choice in it)
    label: str = ""  # the pressed button's label

    def digest(self) -> str:
        """A digest of what the person sent, to recognise the same message sent again."""
        what = f"b:{self.data}" if self.kind == "button" else f"t:{self.text.strip()}"
        return hashlib.sha256(what.encode()).hexdigest()

    def received(self) -> Received:
        """The inbox row for this update."""
        body: dict[str, Any] = {
            "chat_type": self.chat_type,
            "kind": self.kind,
            "text": self.text,
            "data": self.data,
            "callback_id": self.callback_id,
            "hash": self.digest(),
        }
        if self.message_id is not None:
            body |= {"message_id": self.message_id, "message_html": self.message_html}
            body["label"] = self.label
        return Received(self.update_id, self.chat_id, body)

    @classmethod
    def from_received(cls, row: Received) -> Incoming:
        """Back from the inbox row."""
        body = row.body
        return cls(
            update_id=row.update_id,
            chat_id=row.chat_id,
            chat_type=str(body.get("chat_type", "private")),
            kind=body.get("kind", "other"),
            text=str(body.get("text", "")),
            data=str(body.get("data", "")),
            callback_id=body.get("callback_id"),
            unanswered=tuple(str(h) for h in body.get("unanswered") or ()),
            message_id=_message_id(body.get("message_id")),
            message_html=str(body.get("message_html") or ""),
            label=str(body.get("label") or ""),
        )


def _message_id(value: object) -> int | None:
    """A message id, when it is one."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# What python-telegram-bot's Message needs to give a text as HTML (the rest is not built).
_FOR_TEXT = ("message_id", "date", "chat", "text", "entities")


def pressed(message: dict[str, Any], data: str) -> tuple[int | None, str, str]:
    """The pressed button's message: its id, its text as HTML, and the button's label.

    Read with python-telegram-bot's own Message (its text_html); a message it cannot read
    gives no id, so nothing is edited.
    Only what the text needs is read (the message's sender, chat and keyboard are not built).
    """
    try:
        needed = {k: message[k] for k in _FOR_TEXT if k in message}
        msg = Message.de_json(needed, None)
        html = msg.text_html if msg.text else ""
        label = ""
        markup = message.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or ():
            for button in row:
                if button.get("callback_data") == data and isinstance(button.get("text"), str):
                    label = button["text"]
    except Exception:  # any shape Telegram might send: then simply no edit
        return None, "", ""
    return _message_id(message.get("message_id")), html or "", label


def update_id_of(raw: object) -> int | None:
    """The update id of a raw update, if it has a usable one."""
    if isinstance(raw, dict):
        uid = raw.get("update_id")
        if isinstance(uid, int) and not isinstance(uid, bool):
            return uid
    return None


def _chat(message: Any) -> tuple[int, str]:
    """The (chat id, chat type) of a message object."""
    if not isinstance(message, dict):
        raise UnreadableUpdate("the message is not an object")
    chat = message.get("chat")
    if not isinstance(chat, dict):
        raise UnreadableUpdate("the message has no chat")
    cid, ctype = chat.get("id"), chat.get("type")
    if not isinstance(cid, int) or isinstance(cid, bool) or not isinstance(ctype, str):
        raise UnreadableUpdate("the chat has no id or type")
    return cid, ctype


def parse_update(raw: object) -> Incoming | None:
    """The update as Incoming; None for kinds the bot does not answer; UnreadableUpdate if bad."""
    uid = update_id_of(raw)
    if uid is None:
        raise UnreadableUpdate("no update_id")
    assert isinstance(raw, dict)
    if "message" in raw:
        message = raw["message"]
        chat_id, chat_type = _chat(message)
        text = message.get("text")
        if text is None:
            return Incoming(uid, chat_id, chat_type, "other")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise UnreadableUpdate(f"the text is not a string of at most {MAX_TEXT} characters")
        return Incoming(uid, chat_id, chat_type, "text", text=text)
    if "edited_message" in raw:
        chat_id, chat_type = _chat(raw["edited_message"])
        return Incoming(uid, chat_id, chat_type, "edited")
    if "callback_query" in raw:
        query = raw["callback_query"]
        if not isinstance(query, dict):
            raise UnreadableUpdate("the callback query is not an object")
        if "message" not in query:
            return None  # a button on an inline message: not one of ours
        chat_id, chat_type = _chat(query["message"])
        data, qid = query.get("data", ""), query.get("id")
        if (
            not isinstance(data, str)
            or len(data) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
            or not isinstance(qid, str)
        ):
            raise UnreadableUpdate("the callback query has no id or bad data")
        message_id, html, label = pressed(query["message"], data)
        return Incoming(
            uid,
            chat_id,
            chat_type,
            "button",
            data=data,
            callback_id=qid,
            message_id=message_id,
            message_html=html,
            label=label,
        )
    return None
