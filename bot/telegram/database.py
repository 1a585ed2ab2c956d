"""The store off the event loop: one worker thread owns the connection; locks are retried."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from bot.store import SQLiteStore, StoreError, StoreLocked
from bot.telegram.health import Health

T = TypeVar("T")
log = logging.getLogger("advisor.telegram")

BUSY_TIMEOUT_MS = 200  # SQLite waits this long in the worker thread, then we retry
LOCK_PATIENCE = 5.0  # seconds of retries before a locked database is an error


class Database:
    """Runs every store call in one thread (SQLite's connection stays in that thread)."""

    def __init__(self, health: Health) -> None:
        """Nothing is open until open()."""
        self.health = health
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._store: SQLiteStore | None = None

    @property
    def store(self) -> SQLiteStore:
        """The open store (only for use inside call())."""
        assert self._store is not None, "the database is not open"
        return self._store

    async def open(self, factory: Callable[[], SQLiteStore]) -> None:
        """Open the store in the worker thread (a locked file is retried like any call)."""
        self._store = await self.call(factory)

    async def _run(self, fn: Callable[[], T]) -> T:
        """fn() in the worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def call(self, method: Callable[..., T], *args: object, write: bool = False) -> T:
        """A store method in the worker thread; a lock is retried with backoff off the loop."""
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
        """Close the store and stop the worker thread (after the call in progress)."""
        if self._store is not None:
            store, self._store = self._store, None
            await self._run(store.close)
        self._executor.shutdown(wait=True)
