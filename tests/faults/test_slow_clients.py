"""1,100 half-sent request heads against the real bot's webhook: it keeps serving Telegram."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.test_never_silent import post, update
from tests.telegram.bot_process import BotProcess, FakeServer, free_port, wait

SLOW = 1100  # more than the bot's 1,024 file descriptors
SECRET = "s3cret-value"


@pytest.fixture()
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


def open_fds(pid: int) -> int:
    """How many file descriptors the process holds."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def healthz(port: int) -> int:
    """GET /healthz's status, 0 when it does not answer within 2 s."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return int(r.status)
    except Exception:
        return 0


def half_heads(port: int, n: int) -> list[socket.socket]:
    """n connections, each with the first line of a request head and no end to it."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"POST /tg HTTP/1.1\r\nHost: advisor\r\nX-Slow: ")
        except OSError:
            s.close()
            continue
        socks.append(s)
    return socks


def test_half_sent_heads_do_not_starve_the_webhook(server: FakeServer, tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    port = free_port()
    log = tmp_path / "bot.log"
    bot = BotProcess(
        server,
        tmp_path / "w.db",
        log,
        WEBHOOK_URL="https://advisor.example/tg",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_PORT=str(port),
        LOG_LEVEL="INFO",
    )
    socks: list[socket.socket] = []
    stop = threading.Event()
    try:
        wait(lambda: healthz(port) == 200, what="the bot's health")
        resource.prlimit(bot.proc.pid, resource.RLIMIT_NOFILE, (1024, 1024))
        server.client.add_chat(411)
        lines_before = len(log.read_text().splitlines())

        # a body that never finishes, after a whole head: answered 408, not held forever
        body = socket.create_connection(("127.0.0.1", port), timeout=30)
        body.sendall(
            b"POST /tg HTTP/1.1\r\nHost: advisor\r\nContent-Type: application/json\r\n"
            b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n"
            b'Content-Length: 100\r\n\r\n{"update_id":'
        )
        socks = half_heads(port, SLOW)
        assert len(socks) >= 1000

        def trickle() -> None:  # slowloris: one more byte now and then
            while not stop.wait(1.0):
                for s in socks:
                    with contextlib.suppress(OSError):
                        s.send(b"a")

        threading.Thread(target=trickle, daemon=True).start()
        fds = [open_fds(bot.proc.pid)]

        # Telegram retries until a 2xx: the update gets through and is answered
        def delivered() -> bool:
            fds.append(open_fds(bot.proc.pid))
            try:
                return post(f"http://127.0.0.1:{port}/tg", update(1, 411, "/start"), SECRET) == 200
            except OSError:
                return False

        began = time.monotonic()
        wait(delivered, timeout=40, what="the webhook to take an update")
        taken_after = time.monotonic() - began
        wait(lambda: server.client.sent(411), timeout=20, what="the reply")
        assert wait(lambda: healthz(port) == 200, timeout=20, what="health")
        assert body.recv(1024).startswith(b"HTTP/1.1 408")
        body.close()
        assert max(fds) < 1000, f"file descriptors reached {max(fds)}"
        assert bot.proc.poll() is None
        new_lines = log.read_text().splitlines()[lines_before:]
        assert len(new_lines) < 50, f"{len(new_lines)} log lines during the attack"
        print(
            f"\n{len(socks)} half-sent heads: update taken after {taken_after:.1f} s, "
            f"at most {max(fds)} descriptors, {len(new_lines)} log lines"
        )
    finally:
        stop.set()
        for s in socks:
            s.close()
        assert bot.stop() == 0
