"""Native Telegram, end to end: the real bot process against the fake Bot API on 127.0.0.1.

A pressed button edits its question to show the choice and removes the keyboard; a press on an
older keyboard removes that keyboard; a typed question asks with ForceReply and its example as
the input placeholder; 'typing' comes before the answer; nothing is longer than Telegram allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.constants import MessageLimit, ReplyLimit

from tests.telegram.bot_process import BotProcess, FakeServer, wait
from tests.telegram.test_bot_e2e import ready, say, settle

CHAT = 71


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def buttons(entry: dict[str, Any]) -> list[dict[str, Any]]:
    rows = (entry.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b for row in rows for b in row]


def test_a_whole_conversation_is_native(server: FakeServer, tmp_path: Path) -> None:
    client = server.client
    bot = BotProcess(server, tmp_path / "n.db", tmp_path / "bot.log")
    try:
        ready(server)
        say(server, CHAT, "/start")
        greeting = client.sent(CHAT)[-1]
        assert len(buttons(greeting)) == 5

        say(server, CHAT, tap="a:goal:job_change")
        wait(lambda: client.edits(CHAT), what="the greeting edited")
        edit = client.edits(CHAT)[0]
        assert edit["method"] == "editMessageText" and edit["message_id"] == greeting["message_id"]
        assert edit["plain"].endswith("\n✓ I'm changing jobs")
        assert edit["plain"].startswith(greeting["plain"])
        assert edit["reply_markup"] is None

        asked = client.sent(CHAT)[-1]  # the first question: typed, so ForceReply
        assert "Question 1 of" in asked["plain"]
        force = asked["reply_markup"]
        assert force["force_reply"] is True
        placeholder = force["input_field_placeholder"]
        assert placeholder and len(placeholder) <= ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER

        for typed in ("45", "85k", "60000", "12000"):
            say(server, CHAT, typed)
        schedule = client.sent(CHAT)[-1]
        assert buttons(schedule) and "vest" in schedule["plain"]
        say(server, CHAT, tap="a:schedule:graded6")
        for typed in ("2023-03-01", "8000", "2026-12-15"):
            say(server, CHAT, typed)
        before = len(client.sent(CHAT))
        client.user_taps(CHAT, "a:filing:single", check_button=False)
        wait(lambda: any("My suggestion" in t for t in client.texts(CHAT)), what="the verdict")
        settle(server, CHAT, quiet=1.0)

        # the answer took milliseconds: no 'typing' was needed (a turn still running after
        # actions.TYPING_AFTER shows it; tests/telegram/test_actions.py)
        assert all(a["action"] in ("typing", "upload_photo") for a in client.actions(CHAT))
        follow = client.sent(CHAT)[-1]  # the first follow-up question, after the verdict

        # a section button on the verdict: the verdict shows the choice, the section follows
        # with the chart ('upload_photo' first), then the follow-up is asked again
        verdict = next(e for e in client.sent(CHAT)[before:] if "My suggestion" in e["plain"])
        client.user_taps(CHAT, "a:section:options", message_id=verdict["message_id"])
        wait(lambda: client.edits(CHAT)[-1]["message_id"] == verdict["message_id"], what="edit")
        wait(lambda: any(e["method"] == "sendPhoto" for e in client.sent(CHAT)), what="chart")
        settle(server, CHAT, quiet=1.0)
        assert client.edits(CHAT)[-1]["plain"].endswith("\n✓ Your options")
        photos = [e for e in client.sent(CHAT) if e["method"] == "sendPhoto"]
        uploads = [a for a in client.actions(CHAT) if a["action"] == "upload_photo"]
        assert photos and uploads and uploads[0]["seq"] < photos[0]["seq"]
        assert client.sent(CHAT)[-1]["plain"] == follow["plain"]

        # the follow-up's short choices share one row; pressing one edits it like the others
        follow = client.sent(CHAT)[-1]
        assert [[b["text"] for b in row] for row in follow["reply_markup"]["inline_keyboard"]] == [
            ["Yes", "No", "Not sure"]
        ]
        say(server, CHAT, tap="a:new_plan:yes")
        assert client.edits(CHAT)[-1]["plain"].endswith("\n✓ Yes")
        # a question answered by typing keeps its keyboard until that keyboard is pressed
        typed_over = client.sent(CHAT)[-1]
        stale = buttons(typed_over)[0]["callback_data"]
        say(server, CHAT, "5")
        client.user_taps(CHAT, stale, message_id=typed_over["message_id"])
        wait(
            lambda: client.edits(CHAT)[-1]["message_id"] == typed_over["message_id"],
            what="the old keyboard removed",
        )
        settle(server, CHAT)
        removal = client.edits(CHAT)[-1]
        assert removal["method"] == "editMessageReplyMarkup" and removal["reply_markup"] is None
        assert "earlier question" in "\n".join(client.texts(CHAT)[-3:])
    finally:
        assert bot.stop() == 0

    # every keyboard that was pressed is gone, and nothing is longer than Telegram allows
    edited = {e["message_id"] for e in client.edits(CHAT)}
    taps = [c for c in client.calls() if c[0] == "answerCallbackQuery"]
    # goal, schedule, filing, the section, new_plan, the stale one
    assert len(edited) == len(taps) == 6
    for entry in client.sent(CHAT):
        if buttons(entry) and entry["message_id"] in edited:
            assert "reply_markup" not in current(server, entry["message_id"])
        limit = MessageLimit.MAX_TEXT_LENGTH
        if entry["method"] == "sendPhoto":
            limit = MessageLimit.CAPTION_LENGTH
        assert u16(entry["plain"]) <= limit
    for edit in client.edits(CHAT):
        assert edit["reply_markup"] is None and u16(edit.get("plain", "")) <= MAX_TEXT
    assert not [e for e in client.state()["errors"] if e[1] == 400]


MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH


def current(server: FakeServer, message_id: int) -> dict[str, Any]:
    """The message as the person sees it now: its last send or edit."""
    records = server.client.sent(CHAT) + server.client.edits(CHAT)
    mine = sorted((e for e in records if e["message_id"] == message_id), key=lambda e: e["seq"])
    return {k: v for k, v in mine[-1].items() if k != "reply_markup" or v is not None}


def test_a_refused_edit_or_chat_action_never_blocks_the_chat(
    server: FakeServer, tmp_path: Path
) -> None:
    """Edits Telegram refuses are dropped (or fall back to removing the keyboard); failing chat
    actions change nothing; the next question always arrives."""
    client = server.client
    chat = 72
    bot = BotProcess(server, tmp_path / "r.db", tmp_path / "bot.log")
    try:
        ready(server)
        client.fail_next("sendChatAction", 50, code=500)
        say(server, chat, "/start")
        # gone for good: dropped at once, and the first question still comes
        client.fail_next(
            "editMessageText", 1, code=400, description="Bad Request: message to edit not found"
        )
        say(server, chat, tap="a:goal:saving")
        assert "Question 1 of" in client.texts(chat)[-1]
        assert not client.edits(chat)
        say(server, chat, "/restart")
        # refused as written: the keyboard is still removed
        client.fail_next("editMessageText", 1, code=400, description="Bad Request: can't parse")
        say(server, chat, tap="a:goal:loan")
        wait(lambda: client.edits(chat), what="the keyboard removed instead")
        assert client.edits(chat)[-1]["method"] == "editMessageReplyMarkup"
        assert "Question 1 of" in client.texts(chat)[-1]
        say(server, chat, "/restart")
        # a server that keeps failing: given up after a few tries, the chat goes on
        client.fail_next("editMessageText", 50, code=500)
        client.fail_next("editMessageReplyMarkup", 50, code=500)
        before = len(client.sent(chat))
        client.user_taps(chat, "a:goal:retiring", check_button=False)
        wait(lambda: len(client.sent(chat)) > before, timeout=60, what="the question after all")
        assert "Question 1 of" in client.texts(chat)[-1]
    finally:
        assert bot.stop() == 0
    log = (tmp_path / "bot.log").read_text()
    assert "dropped" in log and "What brings you here" not in log
