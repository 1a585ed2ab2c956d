"""The real bot process against our fake Bot API over HTTP on 127.0.0.1 (no internet)."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue.commands import menu
from bot.render import to_plain
from tests.telegram.bot_process import TOKEN, BotProcess, FakeServer, free_port, wait

ANSWERS = ["45", "85k", "60000", "12000", None, "2023-03-01", "8000", "2026-12-15", None]
BUTTONS = {4: "a:schedule:graded6", 8: "a:filing:single"}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


def texts(server: FakeServer, chat: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in server.client.sent(chat)]


def ready(server: FakeServer) -> None:
    wait(lambda: any(c[0] == "setMyCommands" for c in server.client.calls()), what="start-up")


def say(server: FakeServer, chat: int, text: str | None = None, tap: str | None = None) -> None:
    """Type or tap, then wait for at least one more bot message."""
    before = len(server.client.sent(chat))
    if tap is not None:
        server.client.user_taps(chat, tap, check_button=False)
    else:
        assert text is not None
        server.client.user_sends(chat, text)
    wait(lambda: len(server.client.sent(chat)) > before, what=f"a reply to {text or tap}")
    settle(server, chat)


def settle(server: FakeServer, chat: int, quiet: float = 0.25) -> None:
    """Wait until the bot has sent nothing more to the chat for `quiet` seconds (all parts in)."""
    count, since = len(server.client.sent(chat)), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.05)
        now = len(server.client.sent(chat))
        if now != count:
            count, since = now, time.monotonic()


def conversation(server: FakeServer, chat: int, start: int = 0, stop: int = 9) -> None:
    for i in range(start, stop):
        if i in BUTTONS:
            say(server, chat, tap=BUTTONS[i])
        else:
            say(server, chat, ANSWERS[i])


def test_whole_conversation_buttons_and_text(server: FakeServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "a.db", tmp_path / "bot.log")
    try:
        ready(server)
        say(server, 11, "/start")
        assert "What brings you here" in texts(server, 11)[-1]
        markup = server.client.sent(11)[-1]["reply_markup"]
        datas = [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        assert all(len(d.encode()) <= 64 for d in datas)
        say(server, 11, tap="a:goal:job_change")
        say(server, 11, "two hundred")  # bad input: re-asked
        assert "Question 1 of" in texts(server, 11)[-1]
        conversation(server, 11)
        wait(lambda: any("My suggestion" in t for t in texts(server, 11)), what="the verdict")
        verdict = next(m for m in server.client.sent(11) if "My suggestion" in m.get("text", ""))
        assert len(to_plain(verdict["text"])) <= 700  # one screen
        keys = [
            b["callback_data"] for row in verdict["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert "a:section:options" in keys and "a:section:loan" in keys
        assert not any(m["method"] == "sendPhoto" for m in server.client.sent(11))  # not yet
        assert "April 15, 2027" in verdict["text"]
        say(server, 11, tap="a:section:options")  # a tap opens the options, then the chart
        wait(lambda: any("side by side" in t for t in texts(server, 11)), what="the options")
        wait(lambda: any(m["method"] == "sendPhoto" for m in server.client.sent(11)), what="chart")
        options = next(m for m in server.client.sent(11) if "side by side" in m.get("text", ""))
        assert options["reply_markup"]["inline_keyboard"]  # the buttons again
        say(server, 11, "/back")
        # The answer's last parts may still be arriving: wait for the /back prompt itself.
        wait(
            lambda: "Keep" in json.dumps(server.client.sent(11)[-1].get("reply_markup")),
            what="the /back prompt with its Keep button",
        )
        # an old button: answered gracefully
        say(server, 11, tap="a:goal:loan")
        assert "earlier question" in "\n".join(texts(server, 11)[-3:])
        say(server, 11, "/forget")
        say(server, 11, tap="a:confirm_forget:yes")
        assert "deleted" in texts(server, 11)[-1].lower()
    finally:
        assert bot.stop() == 0
    con = sqlite3.connect(tmp_path / "a.db")
    assert con.execute("select count(*) from chats where chat_id=11").fetchone()[0] == 0
    assert con.execute("select count(*) from processed_updates where chat_id=11").fetchone()[0] == 0
    log = (tmp_path / "bot.log").read_text()
    assert "DEBUG" in log  # logging was really at DEBUG
    for secret in (TOKEN, "85000", "85,000", "60000", "60,000", "12000", "12,000", "8000"):
        assert secret not in log, f"{secret!r} leaked into the log"


def test_restart_duplicate_and_interleaved_users(server: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    bot = BotProcess(server, db, tmp_path / "bot.log")
    ready(server)
    for chat in (21, 22):
        say(server, chat, "/start")
        say(server, chat, tap="a:goal:job_change")
    conversation(server, 21, 0, 3)
    say(server, 22, "50")
    say(server, 22, "120k")
    bot.stop(signal.SIGKILL)  # mid-conversation, no goodbye
    server.client.calls()  # the server is still there
    bot = BotProcess(server, db, tmp_path / "bot.log")
    try:
        conversation(server, 21, 3, 9)
        wait(lambda: any("My suggestion" in t for t in texts(server, 21)), what="answer 21")
        say(server, 22, "300000")
        assert "Question 4 of" in texts(server, 22)[-1]
        # a redelivered update changes nothing and sends nothing
        n = len(server.client.sent(22))
        last = max(u for u in server.client.update_ids(22))
        server.client.redeliver(last)
        say(server, 22, "/summary")
        wait(lambda: len(server.client.sent(22)) >= n + 2, what="summary and prompt")
        assert len(server.client.sent(22)) == n + 2  # nothing extra from the duplicate
        summary = texts(server, 22)[-2]
        assert "$120,000" in summary and "$300,000" in summary and "$85,000" not in summary
    finally:
        bot.stop()


def test_start_deep_link_opens_the_path(server: FakeServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "dl.db", tmp_path / "bot.log")
    try:
        ready(server)
        # the menu is the one command list, the same the dialogue's /help shows
        sent = [p for m, p in server.client.calls() if m == "setMyCommands"][-1]["commands"]
        listed = json.loads(sent) if isinstance(sent, str) else sent
        assert [(c["command"], c["description"]) for c in listed] == menu()
        say(server, 61, "/start loan")
        assert "Question 1 of" in texts(server, 61)[-1]
        say(server, 61, "40")
        assert "Question 2 of" in texts(server, 61)[-1]
    finally:
        bot.stop()


def test_429_storm_every_reply_in_order(server: FakeServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "c.db", tmp_path / "bot.log")
    try:
        ready(server)
        server.client.fail_next("sendMessage", 6, code=429, retry_after=1)
        for chat in (31, 32):
            server.client.user_sends(chat, "/start")
        for chat in (31, 32):
            wait(lambda c=chat: len(server.client.sent(c)) >= 1, what="replies after 429s")
        say(server, 31, tap="a:goal:saving")
        say(server, 31, "45")
        got = texts(server, 31)
        assert (
            "What brings you here" in got[0] and "Question 1" in got[1] and "Question 2" in got[2]
        )
    finally:
        bot.stop()


def test_blocked_user_marked_inactive_and_group_refused(server: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    bot = BotProcess(server, db, tmp_path / "bot.log")
    try:
        ready(server)
        say(server, 41, "/start")
        server.client.block_chat(41)
        server.client.user_sends(41, "1")
        wait(
            lambda: (
                sqlite3.connect(db)
                .execute("select active from chats where chat_id=41")
                .fetchone()[0]
                == 0
            ),
            what="chat marked inactive",
        )
        server.client.user_sends(-100, "/start", chat_type="group")
        wait(lambda: server.client.sent(-100), what="group reply")
        assert "private" in texts(server, -100)[0]
    finally:
        bot.stop()


def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    req = urllib.request.Request(
        url, json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_webhook_secret_and_health(server: FakeServer, tmp_path: Path) -> None:
    port = free_port()
    bot = BotProcess(
        server,
        tmp_path / "e.db",
        tmp_path / "bot.log",
        WEBHOOK_URL="https://advisor.example/tg",
        WEBHOOK_SECRET="s3cret-value",
        WEBHOOK_PORT=str(port),
    )
    try:
        wait(lambda: any(c[0] == "setWebhook" for c in server.client.calls()), what="setWebhook")
        server.client.add_chat(51)
        url = f"http://127.0.0.1:{port}/tg"
        update = {
            "update_id": 5001,
            "message": {
                "message_id": 1,
                "date": 1,
                "text": "/start",
                "chat": {"id": 51, "type": "private"},
                "from": {"id": 51, "is_bot": False, "first_name": "A"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        wait(
            lambda: post(url, update, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403,
            what="webhook up",
        )
        assert post(url, update, {}) == 403
        assert not server.client.sent(51)
        assert post(url, update, {"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}) == 200
        wait(lambda: server.client.sent(51), what="webhook reply")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            health = json.loads(r.read())
        assert health["ok"] is True and health["database"] == "reachable"
        assert health["last_update_at"] is not None
    finally:
        bot.stop()
