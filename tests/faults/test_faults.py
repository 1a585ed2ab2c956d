"""Faults: kill -9 under load, a corrupt or locked database, a disk that fills up mid-answer."""

from __future__ import annotations

import json
import random
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue.machine import handle
from bot.dialogue.state import stored
from bot.store import SQLiteStore
from bot.wording import say as wording
from tests.telegram.bot_process import ROOT, TOKEN, BotProcess, FakeServer, free_port, wait
from tests.telegram.test_bot_e2e import say, settle, texts

APOLOGY = wording("common.apology")

# What a person answers to each prompt: the greeting, then "Question N of 9".
ANSWERS = ["45", "85k", "60000", "12000", "a:schedule:graded6"]
ANSWERS += ["2023-03-01", "8000", "2026-12-15", "a:filing:single"]
FINAL = ("My suggestion", "What to do, by when", "One more thing", "Your options")
USERS = 30
STALL = 4.0  # seconds without a reply after which a person types /start to see where they are


@dataclass
class Person:
    """One simulated user of the kill test."""

    chat: int
    seen: int = 0  # message_id of the latest bot message already acted on
    step: str = ""  # the prompt last answered ("greeting", "Q3", "nudge", "start")
    update: int | None = None  # update id of the last answer, until acknowledged
    acted_at: float = 0.0
    done: bool = False
    nudges: int = 0


def prompt_of(text: str) -> str | None:
    """Which prompt a bot message is: 'greeting', 'Q<n>', 'final', or None."""
    if "What brings you here" in text:
        return "greeting"
    found = re.search(r"Question (\d+) of", text)
    if found:
        return f"Q{found.group(1)}"
    if any(marker in text for marker in FINAL):
        return "final"
    return None


def expected_after(step: str) -> str:
    """The prompt that acknowledges an answer to step."""
    if step == "nudge":
        return "-"  # a nudge is not an answer
    if step == "start":
        return "greeting"
    if step == "greeting":
        return "Q1"
    n = int(step[1:])
    return "final" if n == len(ANSWERS) else f"Q{n + 1}"


def act(server: FakeServer, person: Person, prompt: str) -> None:
    """Answer the prompt on screen like a person."""
    answer = "a:goal:job_change" if prompt == "greeting" else ANSWERS[int(prompt[1:]) - 1]
    if answer.startswith("a:"):
        person.update = server.client.user_taps(person.chat, answer, check_button=False)
    else:
        person.update = server.client.user_sends(person.chat, answer)
    person.step = prompt
    person.acted_at = time.monotonic()


def expected_answers() -> dict[str, Any]:
    """The stored answers after the conversation, each applied exactly once."""
    today = datetime.now(UTC).date()
    state, _ = handle(None, "/start", today=today)
    state, _ = handle(state, "job_change", today=today, button=("goal", "job_change"))
    for answer in ANSWERS:
        if answer.startswith("a:"):
            _, question, choice = answer.split(":")
            state, _ = handle(state, choice, today=today, button=(question, choice))
        else:
            state, _ = handle(state, answer, today=today)
    assert state is not None
    return dict(stored(state)["answers"])


def test_kill_9_three_times_during_30_users(tmp_path: Path) -> None:
    """Every acknowledged answer survives 3 SIGKILLs, is applied once, and everyone finishes."""
    rng = random.Random(6)
    server = FakeServer()
    db = tmp_path / "kill.db"
    log = tmp_path / "bot.log"
    bot = BotProcess(server, db, log, LOG_LEVEL="WARNING")
    people = [Person(chat=70_001 + i) for i in range(USERS)]
    acknowledged: dict[int, int] = {}  # update id -> chat
    total = USERS * (len(ANSWERS) + 2)
    kill_at = sorted(rng.sample(range(total // 10, total // 2), 3))
    kills = 0
    up_since = time.monotonic() + 2.5  # the stall clock starts once the bot is up
    try:
        for person in people:
            person.update = server.client.user_sends(person.chat, "/start")
            person.step, person.acted_at = "start", time.monotonic()
        deadline = time.monotonic() + 75
        while not all(p.done for p in people):
            assert time.monotonic() < deadline, f"stuck: {[p for p in people if not p.done][:3]}"
            latest = server.client.state()["latest"]
            now = time.monotonic()
            for person in people:
                if person.done:
                    continue
                message = latest.get(str(person.chat)) or {}
                mid = int(message.get("message_id") or 0)
                prompt = prompt_of(message.get("text") or message.get("caption") or "")
                if mid > person.seen:
                    person.seen = mid
                    person.acted_at = now
                    if person.update is not None and prompt == expected_after(person.step):
                        acknowledged[person.update] = person.chat
                        person.update = None
                    if prompt == "final":
                        person.done = True
                    elif prompt is not None and prompt != person.step:
                        act(server, person, prompt)  # a repeated prompt only after a nudge
                elif now - max(person.acted_at, up_since) > STALL:
                    person.update = server.client.user_sends(person.chat, "/start")
                    person.step, person.acted_at = "nudge", now
                    person.nudges += 1
            if kills < len(kill_at) and len(acknowledged) >= kill_at[kills]:
                time.sleep(rng.uniform(0, 0.2))
                assert bot.stop(signal.SIGKILL) == -signal.SIGKILL
                kills += 1
                bot = BotProcess(server, db, log, LOG_LEVEL="WARNING")
                up_since = time.monotonic() + 2.5
            time.sleep(0.1)
    finally:
        code = bot.stop()
        server.stop()
    assert kills == 3 and code == 0
    con = sqlite3.connect(db)
    stored = {int(u) for (u,) in con.execute("SELECT update_id FROM processed_updates")}
    lost = sorted(set(acknowledged) - stored)
    assert not lost, f"acknowledged answers missing from the database: {lost}"
    want = expected_answers()
    for person in people:
        (raw,) = con.execute("SELECT state FROM chats WHERE chat_id = ?", [person.chat]).fetchone()
        assert json.loads(raw)["answers"] == want, f"chat {person.chat}: answers differ"
    con.close()
    assert len(acknowledged) >= USERS * 4
    print(f"kills after {kill_at} acknowledged answers; nudges {sum(p.nudges for p in people)}")


def start_bot(db: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot telegram` against a port where nothing listens; bounded."""
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{free_port()}/bot",
        "ADVISOR_DB": str(db),
        "WEBHOOK_PORT": str(free_port()),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "telegram"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def make_db(path: Path) -> None:
    """A real bot database with a few chats in it."""
    with SQLiteStore(path) as store:
        for chat in range(1, 60):
            store.apply(chat, chat, {"answers": {"age": 40 + chat % 20}, "pad": "x" * 500})


@pytest.mark.parametrize("damage", ["not a database", "damaged pages"])
def test_corrupt_database_stops_start_up_naming_the_file(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "corrupt.db"
    if damage == "not a database":
        db.write_bytes(b"this is not a database\n" * 200)
    else:
        make_db(db)
        data = bytearray(db.read_bytes())
        data[4096 * 2 : 4096 * 4] = random.Random(1).randbytes(4096 * 2)
        db.write_bytes(bytes(data))
    proc = start_bot(db)
    assert proc.returncode == 1, proc.stderr
    assert str(db) in proc.stderr and "cannot open the database" in proc.stderr
    assert "restore it from a backup" in proc.stderr


def test_locked_database_stops_start_up_naming_the_file(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    make_db(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        proc = start_bot(db)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait(10)
    assert proc.returncode == 1, proc.stderr
    assert str(db) in proc.stderr and "locked" in proc.stderr
    assert waited < 20  # the store's 5 s busy timeout, then a clear error


def health(port: int) -> tuple[int, dict[str, Any]]:
    """GET /healthz of a bot process: status and body."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return int(r.status), json.loads(r.read())
    except urllib.error.HTTPError as e:
        return int(e.code), json.loads(e.read())


def test_disk_full_holds_the_answer_until_space_returns(tmp_path: Path) -> None:
    """No write fits (RLIMIT_FSIZE): no apology, /healthz says so, the answer lands later once."""
    server = FakeServer()
    db = tmp_path / "full.db"
    bot = BotProcess(server, db, tmp_path / "bot.log")
    chat = 5
    try:
        wait(lambda: any(c[0] == "setMyCommands" for c in server.client.calls()), what="start")
        say(server, chat, "/start")
        say(server, chat, tap="a:goal:job_change")
        say(server, chat, "45")
        assert "Question 2 of" in texts(server, chat)[-1]
        before = len(server.client.sent(chat))
        # The disk fills up: every write past the first byte of any file fails (EFBIG).
        resource.prlimit(bot.proc.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
        server.client.user_sends(chat, "85k")
        wait(lambda: health(bot.health_port)[0] == 503, what="/healthz to report failing writes")
        _, body = health(bot.health_port)
        assert body["writes_ok"] is False and body["ok"] is False
        time.sleep(1.0)
        assert len(server.client.sent(chat)) == before  # no apology, no half answer
        # Space comes back; the answer is taken once, without the person sending it again.
        resource.prlimit(
            bot.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
        )
        wait(lambda: len(server.client.sent(chat)) > before, what="the held answer's reply")
        settle(server, chat)
        got = texts(server, chat)[before:]
        assert len(got) == 1 and "Question 3 of" in got[0], got
        assert APOLOGY not in "\n".join(texts(server, chat))
        wait(lambda: health(bot.health_port)[0] == 200, what="/healthz ok again")
    finally:
        assert bot.stop() == 0
        server.stop()
    con = sqlite3.connect(db)
    (raw,) = con.execute("SELECT state FROM chats WHERE chat_id = ?", [chat]).fetchone()
    assert json.loads(raw)["answers"]["salary"] == "85000"
