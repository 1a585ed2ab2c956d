"""Updates from the inbox, per chat in update-id order: dialogue, then state and replies at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

from telegram import Bot
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.chart import chart_png_async
from bot.dialogue.machine import button_is_current, handle
from bot.dialogue.replies import Reply
from bot.dialogue.state import ChatState, restore, stored
from bot.store import Outgoing, StoreError, Turn
from bot.telegram.actions import Typing
from bot.telegram.database import Database
from bot.telegram.outgoing import from_reply, message, parse_callback, photo, pressed
from bot.telegram.updates import Incoming
from bot.telegram.workers import ChatWorkers
from bot.wording import say

log = logging.getLogger("advisor.telegram")


class Turns(ChatWorkers):
    """One task per chat with updates waiting; chats run side by side, each in order."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        delivered: Callable[[int], None],
        today: date | None = None,
    ) -> None:
        """The database, the bot (to answer button taps), and who to tell of new replies."""
        super().__init__()
        self.db = db
        self.bot = bot
        self.notify_sender = delivered
        self.today = today
        self.scrub_pending = False

    async def _drain(self, chat_id: int) -> None:
        """Process the chat's inbox until it is empty; a failing write is retried with backoff."""
        pause = 0.5
        try:
            while True:
                self._dirty.discard(chat_id)
                try:
                    row = await self.db.call(self.db.store.next_received, chat_id)
                    if row is None:
                        if chat_id in self._dirty:
                            continue
                        break
                    await self._process(Incoming.from_received(row))
                    pause = 0.5
                except StoreError as exc:
                    log.error("processing paused: %s; retrying in %.1f s", exc, pause)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 30.0)
        finally:
            self._tasks.pop(chat_id, None)

    def date(self) -> date:
        """Today's date (fixed in tests)."""
        return self.today or datetime.now(UTC).date()

    async def _process(self, incoming: Incoming) -> None:
        """One update: decide the replies, commit them with the state, wake the sender."""
        if incoming.callback_id is not None:
            with contextlib.suppress(TelegramError):  # too old to answer: the reply explains
                await self.bot.answer_callback_query(incoming.callback_id, read_timeout=5)
        turn = await self._turn(incoming)
        await self.db.call(self.db.store.commit_turn, turn, write=True)
        if turn.replies:
            self.notify_sender(incoming.chat_id)
        if turn.forget:
            await self.scrub()

    async def scrub(self) -> None:
        """Truncate the WAL after a /forget; if a reader holds it, try again later."""
        done = await self.db.call(self.db.store.scrub_wal)
        self.scrub_pending = not done
        if not done:
            log.warning("the log of deleted rows is still held by a reader; truncating later")

    async def _turn(self, incoming: Incoming) -> Turn:
        """What this update does (no side effects but the store reads and chat actions)."""
        chat, uid = incoming.chat_id, incoming.update_id
        if incoming.kind == "other":
            return Turn(chat, uid, replies=[message(say("telegram.type_or_tap"))])
        if incoming.kind == "edited":
            return Turn(chat, uid, replies=[message(say("telegram.edited_ignored"))])
        if incoming.chat_type != ChatType.PRIVATE:
            return Turn(chat, uid, replies=[message(say("dialogue.private_only"))])
        button = None
        if incoming.kind == "button":
            button = parse_callback(incoming.data)
            if button is None:
                return Turn(chat, uid)  # a foreign button: nothing to say
        digest = incoming.digest()
        resend = digest in incoming.unanswered  # unanswered when it arrived
        if resend or await self.db.call(self.db.store.awaiting_input, chat) == digest:
            log.info("update %d repeats a message whose reply is on its way; not applied", uid)
            return Turn(chat, uid)
        raw = await self.db.call(self.db.store.load_state, chat)
        before = restore(raw)
        typing = Typing(self.bot, chat)
        typing.start()
        try:
            try:
                state, replies = await asyncio.to_thread(
                    handle, before, incoming.text, today=self.date(), button=button
                )
            except Exception as exc:  # a bug in the dialogue: say sorry, change nothing
                cid = uuid.uuid4().hex[:10]
                log.error("update %d failed [%s]: %s", uid, cid, type(exc).__name__)
                apology = f"{say('common.apology')} (ref {cid})"
                return Turn(chat, uid, replies=[message(apology)], input_hash=digest)
            stale = button is not None and not button_is_current(before or ChatState(), button)
            shown = pressed(incoming.message_id, incoming.message_html, incoming.label, stale=stale)
            outgoing = (shown if button else []) + await self._outgoing(replies, typing)
        finally:
            await typing.stop()
        if state is None:
            return Turn(chat, uid, forget=True, replies=outgoing)
        return Turn(chat, uid, state=stored(state), replies=outgoing, input_hash=digest)

    async def _outgoing(self, replies: list[Reply], typing: Typing | None = None) -> list[Outgoing]:
        """The replies as outbox entries, each chart drawn now (off the loop).

        An answer (a reply with a report: the engine ran) shows 'typing' while its chart is
        drawn, so the person sees the bot at work before the answer arrives.
        """
        shown = None
        if typing is not None and any(r.has_chart for r in replies):
            shown = asyncio.create_task(typing.now())
        out: list[Outgoing] = []
        for reply in replies:
            out.append(from_reply(reply))
            if reply.has_chart and reply.report is not None:
                try:
                    png = await chart_png_async(reply.report)
                except Exception as exc:  # no chart is better than no answer
                    log.error("chart failed: %s", type(exc).__name__)
                    png = None
                if png:
                    out.append(photo(png, say("dialogue.chart_caption")))
        if shown is not None:
            await shown
        return out
