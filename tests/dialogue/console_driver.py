"""Drives `python -m bot console` as a real subprocess, answer by answer."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def console_argv(db: Path, chat_id: int, as_of: str) -> list[str]:
    """The console command for a database, chat and date."""
    return [
        sys.executable,
        "-m",
        "bot",
        "console",
        "--db",
        str(db),
        "--chat-id",
        str(chat_id),
        "--as-of",
        as_of,
    ]


class Console:
    """A running console; `send` types a line and returns what the bot printed up to `> `."""

    def __init__(self, db: Path, chat_id: int = 7, as_of: str = "2026-11-23") -> None:
        env = {**os.environ, "ADVISOR_CHARTS": str(db.parent / "charts"), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            console_argv(db, chat_id, as_of),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.first = self.read_until_prompt()

    def read_until_prompt(self, timeout: float = 30) -> str:
        """Read stdout until the bot waits for input."""
        assert self.proc.stdout is not None
        buf = b""
        deadline = time.monotonic() + timeout
        while not buf.endswith(b"> "):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(buf.decode())
            if not self.sel.select(left):
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
        return buf.decode()

    def send(self, line: str) -> str:
        """Type one line; return the bot's output."""
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        return self.read_until_prompt()

    def close(self) -> int:
        """End of input: the console must exit 0."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL, no goodbye."""
        self.proc.kill()
        self.proc.wait(timeout=30)


def run_piped(db: Path, lines: list[str], chat_id: int = 7, as_of: str = "2026-11-23") -> str:
    """The whole input piped at once (the way a script uses it); returns stdout."""
    proc = subprocess.run(
        console_argv(db, chat_id, as_of),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ADVISOR_CHARTS": str(db.parent / "charts")},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
