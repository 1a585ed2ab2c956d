"""What /healthz reports: the poll loop's liveness, the last write, the outbox backlog."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Health:
    """Liveness facts, updated by the poll loop, the store calls and the sender."""

    mode: str = "polling"
    poll_timeout: float = 10.0
    started_at: float = 0.0
    poll_at: float | None = None  # monotonic time the last getUpdates returned
    last_update_at: float | None = None  # wall time an update was last received
    last_write_at: float | None = None  # wall time of the last successful write
    write_failing_since: float | None = None  # wall time writes started failing, if they are
    write_error: str | None = None
    skipped_updates: int = 0

    def __post_init__(self) -> None:
        """Start the liveness clock."""
        self.started_at = time.monotonic()

    def polled(self) -> None:
        """A getUpdates call returned (with or without updates)."""
        self.poll_at = time.monotonic()

    def wrote(self) -> None:
        """A write committed."""
        self.last_write_at = time.time()
        self.write_failing_since = None
        self.write_error = None

    def write_failed(self, error: str) -> None:
        """A write failed (the error's class and SQLite's message, never values)."""
        if self.write_failing_since is None:
            self.write_failing_since = time.time()
        self.write_error = error

    def loop_alive(self) -> bool:
        """In polling mode: a getUpdates returned within the poll timeout plus a margin."""
        if self.mode != "polling":
            return True
        last = self.poll_at if self.poll_at is not None else self.started_at
        return time.monotonic() - last < self.poll_timeout + 45

    def report(self, database: str, backlog: int | None, oldest: str | None) -> dict[str, Any]:
        """The /healthz body: ok when the loop is alive, writes succeed, the database answers."""
        alive = self.loop_alive()
        writing = self.write_failing_since is None
        ok = alive and writing and database == "reachable"
        return {
            "ok": ok,
            "mode": self.mode,
            "loop_alive": alive,
            "database": database,
            "writes_ok": writing,
            "write_error": self.write_error,
            "last_write_at": self.last_write_at,
            "last_update_at": self.last_update_at,
            "outbox_backlog": backlog,
            "oldest_undelivered_at": oldest,
            "skipped_updates": self.skipped_updates,
        }


def sd_notify(state: str) -> None:
    """Tell systemd (Type=notify, WatchdogSec) we are ready or alive; nothing without systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect(address)
        sock.sendall(state.encode())
