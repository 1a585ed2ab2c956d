"""What an update from Telegram carries, read defensively (an unreadable one is skipped)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from bot.store import Received

Kind = Literal["text", "button", "other", "edited"]
MAX_TEXT = 4096  # Telegram's longest message, in characters


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

    def digest(self) -> str:
        """A digest of what the person sent, to recognise the same message sent again."""
        what = f"b:{self.data}" if self.kind == "button" else f"t:{self.text.strip()}"
        return hashlib.sha256(what.encode()).hexdigest()

    def received(self) -> Received:
        """The inbox row for this update."""
        body = {
            "chat_type": self.chat_type,
            "kind": self.kind,
            "text": self.text,
            "data": self.data,
            "callback_id": self.callback_id,
            "hash": self.digest(),
        }
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
        )


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
            raise UnreadableUpdate("the text is not a string of at most 4096 characters")
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
        if not isinstance(data, str) or len(data) > 64 or not isinstance(qid, str):
            raise UnreadableUpdate("the callback query has no id or bad data")
        return Incoming(uid, chat_id, chat_type, "button", data=data, callback_id=qid)
    return None
