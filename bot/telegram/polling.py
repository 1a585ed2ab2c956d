"""Our own getUpdates loop: a batch is in the inbox before the next call confirms it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.store import Received, StoreError
from bot.telegram.database import Database
from bot.telegram.health import Health
from bot.telegram.sender import seconds
from bot.telegram.updates import UnreadableUpdate, parse_update, update_id_of

log = logging.getLogger("advisor.telegram")

ALLOWED = ["message", "edited_message", "callback_query"]
MAX_BACKOFF = 30.0


def read_batch(raw: object, health: Health) -> tuple[list[Received], int | None]:
    """The updates of a getUpdates answer worth keeping, and the highest update id seen."""
    if not isinstance(raw, list):
        log.warning("getUpdates answered something other than a list; ignored")
        return [], None
    kept: list[Received] = []
    top: int | None = None
    for item in raw:
        uid = update_id_of(item)
        if uid is not None:
            top = uid if top is None else max(top, uid)
        try:
            incoming = parse_update(item)
        except UnreadableUpdate as exc:
            health.skipped_updates += 1
            log.warning("update %s skipped: it could not be read (%s)", uid, exc)
            continue
        if incoming is not None:
            kept.append(incoming.received())
    return kept, top


async def keep(db: Database, items: list[Received]) -> None:
    """Write a batch to the inbox, retrying until it is stored (the offset waits for it)."""
    pause = 0.5
    while True:
        try:
            await db.call(db.store.receive, items, write=True)
            return
        except StoreError as exc:
            log.error("updates not stored yet: %s; retrying in %.1f s", exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_BACKOFF)


async def poll(
    bot: Bot,
    db: Database,
    health: Health,
    wake: Callable[[int], None],
    fatal: Callable[[str], None],
    timeout: int = 10,
    caught_up: Callable[[], None] = lambda: None,
) -> None:
    """Long-poll forever; the offset moves past a batch only once the batch is stored.

    The first call does not wait (timeout 0): once what Telegram held is stored, caught_up().
    """
    offset: int | None = None
    pause = 1.0
    first = True
    while True:
        wait = 0 if first else timeout
        params: dict[str, object] = {"timeout": wait, "allowed_updates": ALLOWED}
        if offset is not None:
            params["offset"] = offset
        try:
            raw = await bot._post("getUpdates", params, read_timeout=wait + 30)
        except InvalidToken:
            fatal("Telegram refused the bot token (401/404 on getUpdates)")
            return
        except RetryAfter as exc:
            await asyncio.sleep(seconds(exc.retry_after))
            continue
        except Conflict:
            log.warning("getUpdates conflict (409): another poller or a webhook is active")
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_BACKOFF)
            continue
        except TelegramError as exc:  # not marked alive: /healthz turns bad if this lasts
            log.warning("getUpdates failed (%s); retrying in %.1f s", type(exc).__name__, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_BACKOFF)
            continue
        pause = 1.0
        health.polled()
        items, top = read_batch(raw, health)
        if items:
            await keep(db, items)
            health.last_update_at = time.time()
            for chat in sorted({item.chat_id for item in items}):
                wake(chat)
        if top is not None:
            offset = top + 1
        if first:
            first = False
            caught_up()
