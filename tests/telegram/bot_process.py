"""Runs the real fake Bot API and the real bot as separate processes for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.telegram.fake_api import FakeClient

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeServer:
    """`python -m tests.telegram.fake_api` in its own process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.telegram.fake_api", "--port", "0", "--token", TOKEN],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.client = FakeClient(f"http://127.0.0.1:{self.port}")

    def stop(self) -> None:
        """SIGTERM and wait."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class BotProcess:
    """`python -m bot telegram` against the fake server, logs captured to a file."""

    def __init__(self, server: FakeServer, db: Path, log: Path, **env: str) -> None:
        self.health_port = int(env.pop("WEBHOOK_PORT", free_port()))
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "ADVISOR_DB": str(db),
            "ADVISOR_CHARTS": str(db.parent / "charts"),
            "WEBHOOK_PORT": str(self.health_port),
            "LOG_LEVEL": "DEBUG",
            **env,
        }
        self.log = log
        self.logfile = log.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "telegram"],
            stdout=self.logfile,
            stderr=self.logfile,
            cwd=ROOT,
            env=self.env,
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Stop with a signal; return the exit code."""
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=10)
        self.logfile.close()
        return code


def wait(pred: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    """Poll until pred() is truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")
