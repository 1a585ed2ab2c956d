"""The outbox, delivered per chat in order: retried with backoff, a chat's 429 waits alone."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.store import Queued, StoreError
from bot.telegram.actions import chat_action
from bot.telegram.database import Database
from bot.telegram.outgoing import Attempt, attempts, markup
from bot.telegram.workers import ChatWorkers

log = logging.getLogger("advisor.telegram")

MAX_BACKOFF = 30.0
OVERALL_RATE = 30.0  # messages a second to all chats together (Telegram's bulk ceiling)
EDIT_TRIES = 5  # an edit that keeps failing on the network is given up (the chat goes on)
# Reasons Telegram gives for an edit that can never succeed: it is dropped at once.
FINAL_EDIT = ("not modified", "not found", "can't be edited", "message_id_invalid")


def seconds(retry_after: int | timedelta) -> float:
    """RetryAfter's wait in seconds."""
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)


def reason(exc: BadRequest) -> str:
    """Telegram's reason for a 400, cut short (its descriptions name no content of ours)."""
    return exc.message.split(":", 1)[-1].strip()[:80]


class Pace:
    """At most OVERALL_RATE sends a second across all chats (no chat waits for another's 429)."""

    def __init__(self, rate: float = OVERALL_RATE) -> None:
        """The rate in messages a second."""
        self.interval = 1.0 / rate
        self.next_at = 0.0

    async def wait(self) -> None:
        """Wait for the next free slot (taken before any await: no lock is needed)."""
        now = time.monotonic()
        delay = self.next_at - now
        self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class Receipts:
    """Ids of delivered replies, appended to a file the moment Telegram confirms each.

    One write() of a few bytes, no lock and no fsync, survives kill -9 at once; the outbox row
    is then deleted at leisure, and at start-up every id in the file is deleted before sending.
    This keeps the window in which a kill repeats a message to the HTTP answer itself.
    """

    def __init__(self, path: Path) -> None:
        """Open (creating, 0600) the receipts file."""
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.recent: set[int] = set()

    def read(self) -> list[int]:
        """Every id in the file (a torn last line is ignored)."""
        ids = []
        for line in self.path.read_text().splitlines():
            if line.isdigit():
                ids.append(int(line))
        return ids

    def add(self, outbox_id: int) -> None:
        """Record one delivery."""
        os.write(self._fd, f"{outbox_id}\n".encode())
        self.recent.add(outbox_id)

    def clear(self) -> None:
        """Empty the file once its ids are deleted from the outbox."""
        os.ftruncate(self._fd, 0)
        self.recent.clear()

    def close(self) -> None:
        """Close the file."""
        with contextlib.suppress(OSError):
            os.close(self._fd)


class Sender(ChatWorkers):
    """One task per chat with replies waiting."""

    def __init__(
        self, db: Database, bot: Bot, fatal: Callable[[str], None], receipts: Receipts
    ) -> None:
        """The database, the bot, what to call when Telegram refuses the token, the receipts."""
        super().__init__()
        self.db = db
        self.bot = bot
        self.fatal = fatal
        self.receipts = receipts
        # Set once what Telegram held for us while we were down is in the inbox: a message
        # sent again meanwhile is then known as a resend before its answer goes out.
        self.ready = asyncio.Event()
        self.pace = Pace()
        self._handed: dict[int, list[Queued]] = {}  # replies a turn handed over, per chat
        self._from_store: set[int] = set()  # chats whose outbox is to be read from the store
        self._taken: dict[int, int] = {}  # per chat being sent: the newest outbox id taken

    def wake(self, chat_id: int) -> None:
        """Replies of this chat are in the store: read them from there."""
        self._from_store.add(chat_id)
        super().wake(chat_id)

    def hand(self, chat_id: int, queued: list[Queued]) -> None:
        """The chat's whole outbox as read right after a turn committed: sent without reading
        the store again (what was taken already is skipped by its id)."""
        self._handed[chat_id] = list(queued)
        super().wake(chat_id)

    async def _drain(self, chat_id: int) -> None:
        """Send the chat's outbox, oldest first, until it is empty.

        Replies handed over by the turn are sent as they are; a chat woken otherwise (at
        start-up, by the sweep) reads the store. Each delivery is in the receipts at once; the
        rows are deleted together, with the next read or when the chat's outbox is done.
        """
        pause = 0.5
        done: list[int] = []  # delivered (in the receipts), their rows not yet deleted
        reading = False  # reading the store until it has nothing more
        try:
            await self.ready.wait()
            while True:
                self._dirty.discard(chat_id)
                try:
                    if chat_id in self._from_store:
                        self._from_store.discard(chat_id)
                        reading = True
                    item = None
                    if reading:
                        item = await self.db.call(
                            self._mark_and_next, chat_id, tuple(done), write=bool(done)
                        )
                        done.clear()
                        reading = item is not None
                    if item is None:
                        item = self._take_handed(chat_id)
                    if item is None:
                        if done:
                            await self.db.call(self.db.store.delivered, *done, write=True)
                            done.clear()
                        if chat_id in self._dirty:
                            continue
                        break
                    self._taken[chat_id] = item.id
                    if item.id not in self.receipts.recent:
                        if not await self._deliver(item):
                            self._handed.pop(chat_id, None)
                            return
                        self.receipts.add(item.id)
                    done.append(item.id)
                    pause = 0.5
                except StoreError as exc:
                    log.error("sending paused: %s; retrying in %.1f s", exc, pause)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, MAX_BACKOFF)
        finally:
            self._tasks.pop(chat_id, None)
            self._taken.pop(chat_id, None)  # nothing is in flight: the receipts cover the rest

    def _take_handed(self, chat_id: int) -> Queued | None:
        """The oldest handed-over reply not taken yet."""
        queue = self._handed.get(chat_id)
        taken = self._taken.get(chat_id, 0)
        while queue:
            item = queue.pop(0)
            if item.id > taken:
                return item
        self._handed.pop(chat_id, None)
        return None

    def _mark_and_next(self, chat_id: int, done: tuple[int, ...]) -> Queued | None:
        """In the store's thread: delete the delivered replies, then read the chat's next one."""
        if done:
            self.db.store.delivered(*done)
        return self.db.store.next_outgoing(chat_id)

    async def _deliver(self, item: Queued) -> bool:
        """Send one reply (a plainer form after a 400); False when the chat cannot be sent to.

        An edit of an earlier message is best effort: one Telegram refuses for good (not
        modified, not found, too old) or that keeps failing is logged and dropped.
        """
        forms = attempts(item.body, item.photo)
        editing = forms[0].method != "send"
        form = 0
        pause = 0.5
        tries = 0
        sent = [0]  # pieces of the current form already delivered
        while True:
            try:
                await self._send(item.chat_id, forms[form], sent)
                return True
            except RetryAfter as exc:
                wait = seconds(exc.retry_after)
                log.info("chat waits %.0f s (429 for this chat only)", wait)
                await asyncio.sleep(wait)
            except ChatMigrated:
                log.warning("reply %d not sent: the group moved to a supergroup", item.id)
                return True
            except Forbidden:
                log.info("chat marked inactive: the user blocked the bot")
                await self.db.call(self.db.store.set_active, item.chat_id, False, write=True)
                await self.db.call(self.db.store.drop_outgoing, item.chat_id, write=True)
                return False
            except InvalidToken:
                self.fatal("Telegram refused the bot token while sending (401/404)")
                return False
            except BadRequest as exc:
                if editing and any(r in exc.message.lower() for r in FINAL_EDIT):
                    log.info("edit %d refused by Telegram (400: %s); dropped", item.id, reason(exc))
                    return True
                form += 1
                sent[0] = 0
                if form >= len(forms):
                    log.error(
                        "reply %d rejected in every form (400: %s); dropped", item.id, reason(exc)
                    )
                    return True
                log.warning(
                    "reply %d rejected by Telegram (400: %s); sending a plainer form",
                    item.id,
                    reason(exc),
                )
            except TelegramError as exc:  # network errors, timeouts, 5xx: the same form again
                tries += 1
                if editing and tries >= EDIT_TRIES:
                    log.warning(
                        "edit %d failed %d times (%s); dropped", item.id, tries, type(exc).__name__
                    )
                    return True
                log.warning("sending failed (%s); retrying in %.1f s", type(exc).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_BACKOFF)

    async def _send(self, chat_id: int, form: Attempt, sent: list[int]) -> None:
        """Send the pieces of one form not yet sent, counting them in sent[0]."""
        if form.method != "send":
            await self._edit(chat_id, form)
            return
        for i, text in enumerate(form.texts):
            if i < sent[0]:
                continue
            await self.pace.wait()
            last = i == len(form.texts) - 1
            keyboard = markup(form.keyboard, form.placeholder) if last else None
            if form.photo is not None:
                await chat_action(self.bot, chat_id, ChatAction.UPLOAD_PHOTO)
                await self.bot.send_photo(
                    chat_id, form.photo, caption=text or None, read_timeout=30, write_timeout=30
                )
            else:
                # Bot._post, as the poll loop does: Telegram's answer is not built into a Message
                # object that nobody reads (about a tenth of the bot's CPU per update)
                params: dict[str, object] = {"chat_id": chat_id, "text": text}
                if form.html:
                    params["parse_mode"] = ParseMode.HTML
                if keyboard is not None:
                    params["reply_markup"] = keyboard
                await self.bot._post("sendMessage", params, read_timeout=30, write_timeout=30)
            sent[0] += 1

    async def _edit(self, chat_id: int, form: Attempt) -> None:
        """Edit an earlier message: its text (the keyboard goes with it), or only its keyboard."""
        if form.message_id is None:
            return  # nothing to edit: the pressed message was not readable
        await self.pace.wait()
        # Bot._post, as for sendMessage: Telegram's answer (the edited Message) is not parsed
        params: dict[str, object] = {"chat_id": chat_id, "message_id": form.message_id}
        if form.method == "edit":
            params |= {"text": form.texts[0], "parse_mode": ParseMode.HTML}
            await self.bot._post("editMessageText", params, read_timeout=30, write_timeout=30)
        else:
            await self.bot._post(
                "editMessageReplyMarkup", params, read_timeout=30, write_timeout=30
            )
