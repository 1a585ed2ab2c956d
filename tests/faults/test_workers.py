"""Three workers on one PostgreSQL database behind a round-robin proxy; kill -9 of one mid-run.

Telegram pushes each update to one webhook URL; a small proxy here hands them to three real
`python -m bot telegram` processes in turn, so consecutive messages of one person land on
different workers. Some people converse (each answer after its question), others send all their
answers at once (the order test). Mid-run one worker is killed with SIGKILL and started again.
Every message is answered, in order, once (at most the reply in flight at the kill may come
twice, as with one process: docs/reliability.md); every stored answer is the one given; nothing
is left in the inbox or the outbox.
"""

from __future__ import annotations

import http.server
import itertools
import json
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from tests.faults.test_kill_9 import ANSWERS, SECRET, Telegram, expected_answers, prompt_of
from tests.postgres import PostgresServer
from tests.telegram.bot_process import BotProcess, FakeServer, free_port, wait

WORKERS = 3
TALKERS = 24  # people who answer each question when it comes
BURSTERS = 12  # people who send every answer at once, before any question came
ORDER = ["greeting", *[f"Q{i}" for i in range(1, len(ANSWERS) + 1)], "final"]


class Proxy:
    """A round-robin load balancer: each POST to the next worker; 502 when that one is down."""

    def __init__(self, ports: list[int]) -> None:
        """Listen on a free port of 127.0.0.1 and forward to the workers' webhook ports."""
        self.ports = ports
        self.turn = itertools.count()
        self.forwarded: Counter[int] = Counter()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                port = proxy.ports[next(proxy.turn) % len(proxy.ports)]
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}{self.path}",
                    body,
                    headers={
                        "Content-Type": "application/json",
                        "X-Telegram-Bot-Api-Secret-Token": self.headers.get(
                            "X-Telegram-Bot-Api-Secret-Token", ""
                        ),
                    },
                )
                try:
                    with urllib.request.urlopen(req, timeout=5) as r:
                        status, answer = r.status, r.read()
                    proxy.forwarded[port] += 1
                except urllib.error.HTTPError as exc:
                    status, answer = exc.code, exc.read()
                except OSError:
                    status, answer = 502, b"bad gateway"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Person:
    """One person; a talker answers the question they last saw, a burster sent all at once."""

    chat: int
    talker: bool
    answered: list[str] = field(default_factory=list)
    seen: int = 0
    done: bool = False


class Cluster:
    """The fake Bot API, three workers on one database, the proxy and Telegram's pusher."""

    def __init__(self, tmp: Path, url: str) -> None:
        self.server = FakeServer()
        self.url = url
        self.tmp = tmp
        self.ports = [free_port() for _ in range(WORKERS)]
        self.proxy = Proxy(self.ports)
        self.telegram = Telegram(f"http://127.0.0.1:{self.proxy.port}/tg")
        self.pusher = threading.Thread(target=self.telegram.push, daemon=True)
        self.bots: list[BotProcess | None] = [None] * WORKERS

    def start(self, i: int) -> None:
        """Start worker i (its own port and receipts file, the shared database)."""
        self.bots[i] = BotProcess(
            self.server,
            self.tmp / f"worker{i}" / "advisor.db",
            self.tmp / f"worker{i}.log",
            ADVISOR_DATABASE_URL=self.url,
            WEBHOOK_URL="https://advisor.example/tg",
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(self.ports[i]),
            LOG_LEVEL="WARNING",
        )

    def up(self) -> None:
        """Every worker answers /healthz."""

        def healthy() -> bool:
            for port in self.ports:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        pass
                except (urllib.error.URLError, OSError):
                    return False
            return True

        wait(healthy, timeout=60, what="three workers up")

    def send(self, chat: int, text: str) -> None:
        self.server.client.add_chat(chat)
        self.telegram.queue(chat, text)

    def close(self) -> list[int]:
        self.telegram.stop = True
        codes = [bot.stop() for bot in self.bots if bot is not None]
        self.proxy.close()
        self.server.stop()
        return codes


def test_three_workers_one_killed_every_message_answered_once_in_order(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.database()
    rng = random.Random(17)
    cluster = Cluster(tmp_path, url)
    people = [Person(70_001 + i, talker=True) for i in range(TALKERS)]
    people += [Person(71_001 + i, talker=False) for i in range(BURSTERS)]
    total = TALKERS * (len(ANSWERS) + 2)
    kill_at = rng.randrange(total // 4, total // 2)
    killed = restarted = False
    try:
        for i in range(WORKERS):
            cluster.start(i)
        cluster.up()
        cluster.pusher.start()
        bursts = [
            ["/start", "a:goal:job_change", *ANSWERS] for p in people if not p.talker
        ]  # each burster's whole conversation, interleaved with the others'
        for step in range(len(bursts[0])):
            for p in people:
                if not p.talker:
                    cluster.send(p.chat, bursts[0][step])
        for p in people:
            if p.talker:
                cluster.send(p.chat, "/start")
                p.answered.append("start")
        deadline = time.monotonic() + 240
        while not all(p.done for p in people):
            assert time.monotonic() < deadline, "stuck: " + str(
                [(p.chat, p.answered[-1:]) for p in people if not p.done]
            )
            sent = cluster.server.client._request("/_control/sent")
            for p in people:
                mine = sent.get(str(p.chat), [])
                if p.done or len(mine) == p.seen:
                    continue
                p.seen = len(mine)
                prompts = [prompt_of(m.get("text") or "") for m in mine]
                if "final" in prompts:
                    p.done = True
                    continue
                if not p.talker:
                    continue
                prompt = prompts[-1]
                if prompt == "greeting" and "greeting" not in p.answered:
                    cluster.send(p.chat, "a:goal:job_change")
                    p.answered.append("greeting")
                elif prompt and prompt.startswith("Q") and prompt not in p.answered:
                    cluster.send(p.chat, ANSWERS[int(prompt[1:]) - 1])
                    p.answered.append(prompt)
            progress = sum(len(p.answered) for p in people)
            if not killed and progress >= kill_at:
                time.sleep(rng.uniform(0, 0.2))
                bot = cluster.bots[1]
                assert bot is not None and bot.stop(signal.SIGKILL) == -signal.SIGKILL
                killed, killed_at = True, time.monotonic()
            if killed and not restarted and time.monotonic() - killed_at > 1.0:
                cluster.start(1)
                restarted = True
            time.sleep(0.05)
        time.sleep(2.0)
        sent = cluster.server.client._request("/_control/sent")
        forwarded = dict(cluster.proxy.forwarded)
    finally:
        codes = cluster.close()
    assert codes == [0] * WORKERS, codes
    assert killed and restarted
    assert len([n for n in forwarded.values() if n > 0]) == WORKERS, forwarded

    want = expected_answers()
    repeats, out_of_order, wrong = 0, [], []
    with psycopg.connect(url) as conn:
        stored = dict(conn.execute("SELECT chat_id, state FROM chats").fetchall())
        left = conn.execute(
            "SELECT (SELECT count(*) FROM inbox), (SELECT count(*) FROM outbox)"
        ).fetchone()
    for p in people:
        prompts = [q for m in sent[str(p.chat)] if (q := prompt_of(m.get("text") or ""))]
        unique = [q for i, q in enumerate(prompts) if i == 0 or prompts[i - 1] != q]
        repeats += len(prompts) - len(unique)
        if unique != ORDER:
            out_of_order.append((p.chat, prompts))
        if json.loads(stored[p.chat])["answers"] != want:
            wrong.append(p.chat)
    print(
        f"3 workers, kill -9 of one after {kill_at} answers: forwarded {forwarded}; "
        f"repeated replies {repeats}; out of order {len(out_of_order)}; wrong answers {wrong}"
    )
    assert not out_of_order, out_of_order[:3]
    assert not wrong
    assert repeats <= 1  # the reply in flight at the kill, at most
    assert left == (0, 0)


def test_polling_takes_one_worker_per_database(tmp_path: Path, postgres: PostgresServer) -> None:
    """A second polling worker on the same database stops at start-up and says why."""
    url = postgres.database()
    server = FakeServer()
    first = BotProcess(
        server, tmp_path / "a" / "advisor.db", tmp_path / "a.log", **{"ADVISOR_DATABASE_URL": url}
    )
    try:
        wait(lambda: any(c[0] == "getUpdates" for c in server.client.calls()), what="polling")
        server.client.user_sends(61_001, "/start")
        wait(lambda: server.client.sent(61_001), what="the greeting")
        second = BotProcess(
            server,
            tmp_path / "b" / "advisor.db",
            tmp_path / "b.log",
            **{"ADVISOR_DATABASE_URL": url},
        )
        assert second.proc.wait(timeout=60) == 1
        second.logfile.close()
        assert "another worker is polling Telegram for this database" in second.log.read_text()
        server.client.user_taps(61_001, "a:goal:job_change")
        wait(lambda: len(server.client.sent(61_001)) >= 2, what="the first question")
        time.sleep(1.0)
        assert len(server.client.sent(61_001)) == 2  # each answered once
    finally:
        code = first.stop()
        server.stop()
    assert code == 0
