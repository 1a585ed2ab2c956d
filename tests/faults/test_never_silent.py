"""The bot never goes silent while looking healthy: the real process against the fake Bot API."""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.telegram.bot_process import ROOT, TOKEN, BotProcess, FakeServer, free_port, wait
from tests.telegram.test_bot_e2e import ready, say, texts


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


def health(port: int) -> tuple[int, dict[str, Any], float]:
    """GET /healthz: status, body and how long it took."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            status, body = int(r.status), json.loads(r.read())
    except urllib.error.HTTPError as e:
        status, body = int(e.code), json.loads(e.read())
    return status, body, time.monotonic() - started


def assert_clean(log: str) -> None:
    """No token, no traceback, every line one JSON object."""
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "Traceback" not in log
    for line in log.splitlines():
        json.loads(line)


def test_401_on_get_updates_stops_the_process_with_a_clear_message(
    server: FakeServer, tmp_path: Path
) -> None:
    bot = BotProcess(server, tmp_path / "t.db", tmp_path / "bot.log", LOG_FORMAT="json")
    ready(server)
    say(server, 201, "/start")
    server.client.fail_next("getUpdates", 1, code=401, description="Unauthorized")
    server.client.user_sends(201, "hello")  # ends the long poll in progress
    code = bot.proc.wait(timeout=30)
    bot.logfile.close()
    assert code == 3
    log = (tmp_path / "bot.log").read_text()
    assert "refused the bot token" in log and "TELEGRAM_BOT_TOKEN" in log
    assert_clean(log)


@pytest.mark.parametrize("fault", ["401 wrong token", "404 wrong address"])
def test_refused_token_at_start_up_exits_without_leaking_it(
    server: FakeServer, tmp_path: Path, fault: str
) -> None:
    base = server.base_url if fault.startswith("401") else server.base_url.replace("/bot", "/x/bot")
    token = "999999:WRONG-token-zyxwvutsrqp" if fault.startswith("401") else TOKEN
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "telegram"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": base,
            "ADVISOR_DB": str(tmp_path / "s.db"),
            "WEBHOOK_PORT": str(free_port()),
            "LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert "refused the bot token" in proc.stderr
    assert token not in proc.stderr + proc.stdout
    assert_clean(proc.stderr)


def test_unreadable_update_is_skipped_with_its_id_only(server: FakeServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "p.db", tmp_path / "bot.log", LOG_FORMAT="json")
    try:
        ready(server)
        say(server, 202, "/start")
        poison = server.client.inject({"message": {"chat": "SECRET-87654", "text": "SECRET-87654"}})
        weird = server.client.inject(
            {"message": {"chat": {"id": 202, "type": "private"}, "text": 7}}
        )
        say(server, 202, tap="a:goal:job_change")
        assert "Question 1 of" in texts(server, 202)[-1]
        status, body, _ = health(bot.health_port)
        assert status == 200 and body["skipped_updates"] == 2
    finally:
        assert bot.stop() == 0
    log = (tmp_path / "bot.log").read_text()
    assert f"update {poison} skipped" in log and f"update {weird} skipped" in log
    assert "SECRET-87654" not in log
    assert_clean(log)


def test_locked_database_keeps_health_answering_and_the_message_waits(
    server: FakeServer, tmp_path: Path
) -> None:
    db = tmp_path / "l.db"
    bot = BotProcess(server, db, tmp_path / "bot.log")
    try:
        ready(server)
        say(server, 203, "/start")
        before = len(server.client.sent(203))
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, time\n"
                f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
                "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(4)",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        server.client.user_taps(203, "a:goal:job_change", check_button=False)
        slowest = 0.0
        for _ in range(6):
            _, _, took = health(bot.health_port)
            slowest = max(slowest, took)
            time.sleep(0.3)
        assert slowest < 3.0  # the event loop never waits on SQLite's lock
        holder.wait(timeout=20)
        wait(lambda: len(server.client.sent(203)) > before, what="the reply after the lock")
        assert "Question 1 of" in texts(server, 203)[-1]
    finally:
        assert bot.stop() == 0


def test_second_process_on_the_same_database_refuses_to_start(
    server: FakeServer, tmp_path: Path
) -> None:
    db = tmp_path / "two.db"
    first = BotProcess(server, db, tmp_path / "one.log")
    try:
        ready(server)
        second = BotProcess(server, db, tmp_path / "two.log")
        assert second.proc.wait(timeout=30) == 1
        second.logfile.close()
        log = (tmp_path / "two.log").read_text()
        assert "in use by another bot process" in log and str(db) in log
        say(server, 204, "/start")  # the first one still answers
        assert "What brings you here" in texts(server, 204)[-1]
    finally:
        assert first.stop() == 0


def test_forget_with_a_reader_leaves_nothing_in_the_files(
    server: FakeServer, tmp_path: Path
) -> None:
    db = tmp_path / "f.db"
    bot = BotProcess(server, db, tmp_path / "bot.log")
    try:
        ready(server)
        say(server, 205, "/start")
        say(server, 205, tap="a:goal:job_change")
        say(server, 205, "1961-07-19")
        say(server, 205, "987,654")

        def clean() -> bool:
            files = [db, Path(f"{db}-wal")]
            data = b"".join(f.read_bytes() for f in files if f.exists())
            return b"987654" not in data and b"1961-07-19" not in data

        assert not clean()  # the answers are in the files before /forget
        reader = sqlite3.connect(db, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM chats").fetchone()  # holds a read snapshot
        say(server, 205, "/forget")
        say(server, 205, tap="a:confirm_forget:yes")
        assert "deleted" in texts(server, 205)[-1].lower()
        time.sleep(0.5)
        reader.execute("COMMIT")
        reader.close()
        wait(clean, timeout=10, what="the WAL truncated after the reader left")
    finally:
        assert bot.stop() == 0


def test_malformed_stored_state_does_not_block_forget_or_start(
    server: FakeServer, tmp_path: Path
) -> None:
    db = tmp_path / "m.db"
    bot = BotProcess(server, db, tmp_path / "bot.log")
    try:
        ready(server)
        say(server, 206, "/start")
        con = sqlite3.connect(db)
        con.execute("UPDATE chats SET state = '\"not an object\"' WHERE chat_id = 206")
        con.commit()
        con.close()
        say(server, 206, "/forget")
        assert "Sorry" not in texts(server, 206)[-1]
        say(server, 206, "/start")
        assert "What brings you here" in texts(server, 206)[-1]
    finally:
        assert bot.stop() == 0


def post(url: str, body: object, secret: str) -> int:
    """POST an update as Telegram does; the status."""
    req = urllib.request.Request(
        url,
        json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def update(uid: int, chat: int, text: str) -> dict[str, Any]:
    """A private text message update."""
    return {
        "update_id": uid,
        "message": {
            "message_id": uid,
            "date": 1,
            "text": text,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "A"},
        },
    }


def test_webhook_answers_200_only_once_the_update_is_stored(
    server: FakeServer, tmp_path: Path
) -> None:
    port = free_port()
    bot = BotProcess(
        server,
        tmp_path / "w.db",
        tmp_path / "bot.log",
        WEBHOOK_URL="https://advisor.example/tg",
        WEBHOOK_SECRET="s3cret-value",
        WEBHOOK_PORT=str(port),
    )
    url = f"http://127.0.0.1:{port}/tg"
    try:
        wait(lambda: any(c[0] == "setWebhook" for c in server.client.calls()), what="setWebhook")
        server.client.add_chat(207)
        wait(lambda: post(url, update(1, 207, "/start"), "s3cret-value") == 200, what="webhook")
        wait(lambda: server.client.sent(207), what="the first reply")
        # garbage is acknowledged (Telegram would resend it forever) and skipped
        assert post(url, {"update_id": 2, "message": "SECRET-1234"}, "s3cret-value") == 200
        assert post(url, "not an update", "s3cret-value") == 200
        assert post(url, update(3, 207, "/start"), "s3cret-valuf") == 403
        # the disk is full: no 200, so Telegram keeps the update and sends it again
        resource.prlimit(bot.proc.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
        assert post(url, update(4, 207, "/privacy"), "s3cret-value") == 503
        time.sleep(0.5)
        assert len(server.client.sent(207)) == 1
        unlimited = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        resource.prlimit(bot.proc.pid, resource.RLIMIT_FSIZE, unlimited)
        assert post(url, update(4, 207, "/privacy"), "s3cret-value") == 200
        assert post(url, update(4, 207, "/privacy"), "s3cret-value") == 200  # a duplicate
        wait(lambda: len(server.client.sent(207)) >= 2, what="the stored update's reply")
        time.sleep(1.0)
        assert len(server.client.sent(207)) == 2
        assert "database" in texts(server, 207)[-1]
    finally:
        assert bot.stop() == 0
    assert "SECRET-1234" not in (tmp_path / "bot.log").read_text()


def test_unreachable_telegram_at_start_up_is_retried_and_sigterm_still_stops_it(
    tmp_path: Path,
) -> None:
    log = tmp_path / "bot.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "telegram"],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
                "ADVISOR_DB": str(tmp_path / "u.db"),
                "WEBHOOK_PORT": str(free_port()),
                "LOG_FORMAT": "json",
            },
            stdout=out,
            stderr=out,
        )
        wait(lambda: "not reachable" in log.read_text(), timeout=30, what="a retry")
        assert proc.poll() is None  # still trying, not crashed
        proc.send_signal(15)
        assert proc.wait(timeout=15) == 0
    assert_clean(log.read_text())
