"""A reply that fails on the way out: the real bot process against the fake Bot API.

Each failure Telegram can answer with (500, a dropped connection, a 400, a 429 for one chat)
leaves the person with exactly one reply to each message, no apology for a reply that still
comes, and the answer stored once, even when the person sends it again while waiting.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.wording import say as wording
from tests.telegram.bot_process import BotProcess, FakeServer, wait
from tests.telegram.test_bot_e2e import ready, say, settle, texts

APOLOGY = wording("common.apology")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for the module's bot (each test has its own chat)."""
    return tmp_path_factory.mktemp("replies")


@pytest.fixture(scope="module")
def bot(server: FakeServer, tmp: Path) -> Iterator[BotProcess]:
    b = BotProcess(server, tmp / "r.db", tmp / "bot.log")
    ready(server)
    yield b
    assert b.stop() == 0


def at_question_2(server: FakeServer, chat: int) -> int:
    """/start, the job-change goal and an age; the number of messages sent so far."""
    say(server, chat, "/start")
    say(server, chat, tap="a:goal:job_change")
    say(server, chat, "45")
    assert "Question 2 of" in texts(server, chat)[-1]
    return len(server.client.sent(chat))


def answers(db: Path, chat: int) -> dict[str, Any]:
    con = sqlite3.connect(db)
    try:
        (raw,) = con.execute("SELECT state FROM chats WHERE chat_id = ?", [chat]).fetchone()
    finally:
        con.close()
    return dict(json.loads(raw)["answers"])


@pytest.mark.parametrize("code", [500, 0], ids=["500", "dropped connection"])
def test_failed_reply_is_retried_not_apologised_for(
    server: FakeServer, bot: BotProcess, tmp: Path, code: int
) -> None:
    chat = 101 if code else 107
    before = at_question_2(server, chat)
    server.client.fail_next("sendMessage", 3, code=code)
    server.client.user_sends(chat, "85k")
    wait(lambda: len(server.client.sent(chat)) > before, what="the reply after the failures")
    settle(server, chat)
    got = texts(server, chat)[before:]
    assert len(got) == 1 and "Question 3 of" in got[0], got
    assert APOLOGY not in "\n".join(texts(server, chat))
    assert answers(tmp / "r.db", chat)["salary"] == "85000"


def test_same_answer_sent_again_while_its_reply_is_held_is_a_resend(
    server: FakeServer, bot: BotProcess, tmp: Path
) -> None:
    chat = 102
    before = at_question_2(server, chat)
    server.client.fail_next("sendMessage", 4, code=500)  # about 0.5 + 1 + 2 + 4 s of backoff
    server.client.user_sends(chat, "85k")
    time.sleep(2.0)
    assert len(server.client.sent(chat)) == before  # the reply is still on its way
    server.client.user_sends(chat, "85k")  # the impatient person sends it again
    wait(lambda: len(server.client.sent(chat)) > before, timeout=30, what="the held reply")
    settle(server, chat, quiet=1.5)
    got = texts(server, chat)[before:]
    assert len(got) == 1 and "Question 3 of" in got[0], got  # one reply; Q3 still asked
    stored = answers(tmp / "r.db", chat)
    assert stored["salary"] == "85000" and "balance" not in stored


def test_reply_rejected_as_bad_request_is_sent_as_plain_text(
    server: FakeServer, bot: BotProcess, tmp: Path
) -> None:
    chat = 103
    before = at_question_2(server, chat)
    server.client.fail_next(
        "sendMessage",
        1,
        code=400,
        description="Bad Request: can't parse entities: Unsupported start tag at byte offset 9",
    )
    server.client.user_sends(chat, "85k")
    wait(lambda: len(server.client.sent(chat)) > before, what="the plain-text fallback")
    settle(server, chat)
    sent = server.client.sent(chat)[before:]
    assert len(sent) == 1 and sent[0]["parse_mode"] is None
    assert "Question 3 of" in sent[0]["text"] and "<i>" not in sent[0]["text"]
    assert sent[0]["reply_markup"] is None or "inline_keyboard" in sent[0]["reply_markup"]
    assert answers(tmp / "r.db", chat)["salary"] == "85000"
    log = (tmp / "bot.log").read_text()
    assert "rejected by Telegram (400" in log
    assert "85k" not in log and "85000" not in log


def test_one_chats_429_does_not_pause_another(server: FakeServer, bot: BotProcess) -> None:
    slow, fast = 104, 105
    for chat in (slow, fast):
        say(server, chat, "/start")
    server.client.fail_next("sendMessage", 1, code=429, retry_after=6, chat_id=slow)
    started = time.monotonic()
    server.client.user_taps(slow, "a:goal:job_change", check_button=False)
    time.sleep(0.3)
    server.client.user_taps(fast, "a:goal:job_change", check_button=False)
    wait(lambda: len(server.client.sent(fast)) >= 2, what="the other chat's reply")
    assert time.monotonic() - started < 4.0
    assert len(server.client.sent(slow)) == 1  # still waiting out its own 429
    wait(lambda: len(server.client.sent(slow)) >= 2, timeout=15, what="the 429 chat's reply")
    assert time.monotonic() - started >= 5.5
    assert "Question 1 of" in texts(server, slow)[-1]


def test_non_text_messages_and_edits_get_one_line_each(
    server: FakeServer, bot: BotProcess, tmp: Path
) -> None:
    chat = 106
    before = at_question_2(server, chat)
    for n, kind in enumerate(("sticker", "photo", "voice", "document", "location"), 1):
        server.client.user_sends_other(chat, kind)
        wait(lambda n=n: len(server.client.sent(chat)) >= before + n, what=f"a reply to {kind}")
    server.client.user_edits(chat, "50")
    wait(lambda: len(server.client.sent(chat)) >= before + 6, what="a note about the edit")
    settle(server, chat)
    got = texts(server, chat)[before:]
    assert got[:5] == [wording("telegram.type_or_tap")] * 5
    assert got[5:] == [wording("telegram.edited_ignored")]
    say(server, chat, "85k")
    assert "Question 3 of" in texts(server, chat)[-1]
    stored = answers(tmp / "r.db", chat)
    assert stored["age"] == [45, None] and stored["salary"] == "85000"
