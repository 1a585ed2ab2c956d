"""The store off the event loop: worker threads run every call; locks are retried.

SQLite: one thread owns the connection. PostgreSQL: a few threads, each call borrowing a
pooled connection, so a slow query never holds the others up.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from bot.store import Queued, Received, StoreError, StoreLocked, Turn
from bot.telegram.health import Health

T = TypeVar("T")
log = logging.getLogger("advisor.telegram")

BUSY_TIMEOUT_MS = 200  # SQLite waits this long in the worker thread, then we retry
LOCK_PATIENCE = 5.0  # seconds of retries before a locked database is an error


class ServiceStore(Protocol):
    """What the Telegram service calls on its store (SQLiteStore and PostgresStore)."""

    def receive(self, items: list[Received]) -> int:
        """Write updates to the inbox; count the new ones."""
        ...

    def inbox_chats(self) -> list[int]:
        """Chats with updates waiting."""
        ...

    def next_received(self, chat_id: int) -> Received | None:
        """The chat's oldest waiting update."""
        ...

    def commit_turn(self, turn: Turn) -> bool:
        """One update's state, mark and replies at once; False if done before."""
        ...

    def awaiting_input(self, chat_id: int) -> str | None:
        """The input hash of the chat's latest turn not yet delivered."""
        ...

    def load_state(self, chat_id: int) -> dict[str, Any] | None:
        """The chat's stored state."""
        ...

    def outbox_chats(self) -> list[int]:
        """Chats with replies waiting."""
        ...

    def next_outgoing(self, chat_id: int) -> Queued | None:
        """The chat's oldest undelivered reply."""
        ...

    def outgoing_of(self, chat_id: int, limit: int = 100) -> list[Queued]:
        """The chat's undelivered replies, oldest first."""
        ...

    def delivered(self, *outbox_ids: int) -> None:
        """Remove delivered replies."""
        ...

    def drop_outgoing(self, chat_id: int) -> int:
        """Remove a chat's undelivered replies."""
        ...

    def set_active(self, chat_id: int, active: bool) -> None:
        """Mark the chat active or inactive."""
        ...

    def backlog(self) -> tuple[int, str | None]:
        """Undelivered replies and the oldest one's time."""
        ...

    def check_writable(self) -> None:
        """Fail unless a write can be made."""
        ...

    def scrub_wal(self, attempts: int = 5) -> bool:
        """Leave no copy of deleted rows in the log; False to try later."""
        ...

    def close(self) -> None:
        """Release the connection(s)."""
        ...


class Database:
    """Runs every store call in worker threads (one for SQLite: its connection stays there)."""

    def __init__(self, health: Health, threads: int = 1) -> None:
        """Nothing is open until open()."""
        self.health = health
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="store")
        self._store: ServiceStore | None = None

    @property
    def store(self) -> ServiceStore:
        """The open store (only for use inside call())."""
        assert self._store is not None, "the database is not open"
        return self._store

    async def open(self, factory: Callable[[], ServiceStore]) -> None:
        """Open the store in a worker thread (a locked file is retried like any call)."""
        self._store = await self.call(factory)

    async def _run(self, fn: Callable[[], T]) -> T:
        """fn() in a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def call(self, method: Callable[..., T], *args: object, write: bool = False) -> T:
        """A store method in a worker thread; a lock is retried with backoff off the loop."""
        pause = 0.05
        deadline = time.monotonic() + LOCK_PATIENCE
        while True:
            try:
                result = await self._run(functools.partial(method, *args))
            except StoreLocked as exc:
                if time.monotonic() > deadline:
                    if write:
                        self.health.write_failed(f"{type(exc).__name__}: locked")
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.5)
                continue
            except StoreError as exc:
                if write:
                    self.health.write_failed(type(exc).__name__)
                raise
            if write:
                self.health.wrote()
            return result

    async def close(self) -> None:
        """Close the store and stop the worker threads (after the calls in progress)."""
        if self._store is not None:
            store, self._store = self._store, None
            await self._run(store.close)
        self._executor.shutdown(wait=True)


def pool_threads() -> int:
    """Threads (and pooled connections) per PostgreSQL store: a few, not more than the cores."""
    return max(2, min(4, os.cpu_count() or 2))
