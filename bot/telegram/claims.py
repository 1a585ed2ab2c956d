"""Several workers on one PostgreSQL database: a chat is worked on by one worker at a time.

A worker claims a chat before draining its inbox (role "turns") or its outbox ("send"), so each
chat's updates are applied in update-id order and its replies sent in order whichever worker
received them. A worker that finds the chat claimed leaves it: the holder looks again after
letting go, and the periodic sweep wakes whatever a killed worker left (PostgreSQL releases a
dead worker's claims with its connection).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from telegram import Bot

from bot.pgstore import ChatClaims
from bot.store import StoreError
from bot.telegram.app import Turns
from bot.telegram.database import Database
from bot.telegram.sender import Receipts, Sender
from bot.telegram.workers import ChatWorkers

T = TypeVar("T")
log = logging.getLogger("advisor.telegram")

SWEEP_EVERY = 1.0  # seconds between looks for work no worker is doing
SWEEP_AGE = 2.0  # seconds a row waits before the sweep counts it as left behind


class Claims:
    """ChatClaims off the event loop: its one connection lives in one thread."""

    def __init__(self, url: str) -> None:
        """Nothing is connected until open()."""
        self._url = url
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claims")
        self._claims: ChatClaims | None = None

    async def _run(self, fn: Callable[[], T]) -> T:
        """fn() in the claims thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def open(self) -> None:
        """Connect (StoreError if the database cannot be reached)."""
        self._claims = await self._run(lambda: ChatClaims(self._url))

    @property
    def claims(self) -> ChatClaims:
        """The open claims connection."""
        assert self._claims is not None, "the claims are not open"
        return self._claims

    async def take(self, role: str, chat_id: int) -> bool:
        """Claim the chat for this role (False: another worker, or another task, has it)."""
        return await self._run(lambda: self.claims.take(role, chat_id))

    async def release(self, role: str, chat_id: int, table: str) -> bool:
        """Let the chat go; whether rows are left in the table for it."""
        return await self._run(lambda: self.claims.release(role, chat_id, table))

    async def take_poller(self) -> bool:
        """Become the one polling worker of this database (False: another one is)."""
        return await self._run(lambda: self.claims.take_poller())

    async def close(self) -> None:
        """Close the connection (its claims go with it) and stop the thread."""
        if self._claims is not None:
            claims, self._claims = self._claims, None
            await self._run(claims.close)
        self._executor.shutdown(wait=True)


async def claimed(
    workers: ChatWorkers,
    claims: Claims,
    role: str,
    table: str,
    chat_id: int,
    drain: Callable[[int], Awaitable[None]],
) -> None:
    """Drain the chat while holding its claim; after letting go, again if work came meanwhile."""
    me = asyncio.current_task()
    try:
        while True:
            if not await claims.take(role, chat_id):
                return  # the holder looks again after letting go; the sweep covers a dead one
            try:
                await drain(chat_id)  # removes its task from workers._tasks when done
            finally:
                more = await asyncio.shield(claims.release(role, chat_id, table))
            if not more or me is None or workers._tasks.setdefault(chat_id, me) is not me:
                return
    except StoreError as exc:
        log.warning("chat left to the sweep: %s", exc)
    finally:
        if workers._tasks.get(chat_id) is me:
            workers._tasks.pop(chat_id, None)


class ClaimedTurns(Turns):
    """Turns that claim each chat first (several workers on one PostgreSQL database)."""

    def __init__(
        self, claims: Claims, db: Database, bot: Bot, delivered: Callable[[int], None]
    ) -> None:
        """The claims, then what Turns takes."""
        super().__init__(db, bot, delivered)
        self.claims = claims

    async def _drain(self, chat_id: int) -> None:
        """The chat's inbox, while this worker holds the chat's "turns" claim."""
        await claimed(self, self.claims, "turns", "inbox", chat_id, super()._drain)


class ClaimedSender(Sender):
    """A sender that claims each chat first (several workers on one PostgreSQL database)."""

    def __init__(
        self,
        claims: Claims,
        db: Database,
        bot: Bot,
        fatal: Callable[[str], None],
        receipts: Receipts,
    ) -> None:
        """The claims, then what Sender takes."""
        super().__init__(db, bot, fatal, receipts)
        self.claims = claims

    async def _drain(self, chat_id: int) -> None:
        """The chat's outbox, while this worker holds the chat's "send" claim."""
        await claimed(self, self.claims, "send", "outbox", chat_id, super()._drain)
