"""Updates from the inbox, per chat in update-id order: dialogue, then state and replies at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from telegram import Bot
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.chart import chart_png_async
from bot.dialogue.machine import button_is_current, handle
from bot.dialogue.replies import Reply
from bot.dialogue.state import ChatState, restore, stored
from bot.store import Outgoing, Queued, Received, StoreError, Turn
from bot.telegram.actions import Typing
from bot.telegram.database import Database
from bot.telegram.outgoing import from_reply, message, parse_callback, photo, pressed
from bot.telegram.updates import Incoming
from bot.telegram.workers import ChatWorkers
from bot.wording import say

log = logging.getLogger("advisor.telegram")
HAND_OVER_MOST = 100  # replies waiting in a chat beyond which the sender reads the store itself


@dataclass
class Pending:
    """The dialogue's answer to an update, before its replies become outbox entries."""

    incoming: Incoming
    state: ChatState | None  # None: /forget
    replies: list[Reply]
    shown: list[Outgoing]  # the pressed question, edited to show the choice
    digest: str

    def turn(self, outgoing: list[Outgoing]) -> Turn:
        """The turn to commit, with the replies as outbox entries."""
        chat, uid = self.incoming.chat_id, self.incoming.update_id
        replies = self.shown + outgoing
        if self.state is None:
            return Turn(chat, uid, forget=True, replies=replies)
        return Turn(chat, uid, state=stored(self.state), replies=replies, input_hash=self.digest)


@dataclass
class Step:
    """One call of a chat's drain: the update taken (None: the inbox was empty) and its turn."""

    incoming: Incoming | None
    turn: Turn | None = None
    pending: Pending | None = None  # decided, its chart still to draw, not yet committed
    following: Received | None = None  # the chat's next update, read after the commit
    more: bool = False  # whether to look again though `following` is None
    queued: list[Queued] | None = None  # the chat's outbox right after the commit


class Turns(ChatWorkers):
    """One task per chat with updates waiting; chats run side by side, each in order."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        delivered: Callable[[int], None],
        today: date | None = None,
        hand_over: Callable[[int, list[Queued]], None] | None = None,
    ) -> None:
        """The database, the bot (to answer button taps), and who to tell of new replies.

        hand_over: where a committed turn's chat outbox goes as it was just read (one process
        on SQLite); otherwise the sender is only told to read it (several PostgreSQL workers).
        """
        super().__init__()
        self.db = db
        self.bot = bot
        self.notify_sender = delivered
        self.hand_over = hand_over
        self.today = today
        self.scrub_pending = False

    async def _drain(self, chat_id: int) -> None:
        """Process the chat's inbox until it is empty; a failing write is retried with backoff.

        Each update is one call into the store's thread: read it, decide, commit (a turn whose
        answer has a chart is committed in a second call, once the chart is drawn). The call
        also reads the chat's next update, so an empty inbox costs no extra call.
        """
        pause = 0.5
        following: Received | None = None
        try:
            while True:
                self._dirty.discard(chat_id)
                try:
                    typing = Typing(self.bot, chat_id)
                    typing.start()
                    try:
                        step = await self.db.call(self._step, chat_id, following, write=True)
                        following = None
                        if step.pending is not None:
                            await self._finish(step, typing)
                    finally:
                        await typing.stop()
                    if step.incoming is None:
                        if chat_id in self._dirty:
                            continue
                        break
                    if step.turn is not None and step.turn.replies:
                        if self.hand_over is not None and step.queued is not None:
                            self.hand_over(chat_id, step.queued)
                        else:
                            self.notify_sender(chat_id)
                    await self._answer_button(step.incoming)
                    if step.turn is not None and step.turn.forget:
                        await self.scrub()
                    following = step.following
                    if following is None and not step.more and chat_id not in self._dirty:
                        break
                    pause = 0.5
                except StoreError as exc:
                    following = None
                    log.error("processing paused: %s; retrying in %.1f s", exc, pause)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 30.0)
        finally:
            self._tasks.pop(chat_id, None)

    async def _answer_button(self, incoming: Incoming) -> None:
        """Stop the pressed button's spinner (after the turn: its reply is already queued)."""
        if incoming.callback_id is None:
            return
        with contextlib.suppress(TelegramError):  # too old to answer: the reply explains
            await self.bot._post(
                "answerCallbackQuery", {"callback_query_id": incoming.callback_id}, read_timeout=5
            )

    def date(self) -> date:
        """Today's date (fixed in tests)."""
        return self.today or datetime.now(UTC).date()

    def _step(self, chat_id: int, row: Received | None) -> Step:
        """In the store thread: the chat's next update, decided, and committed unless charted."""
        store = self.db.store
        if row is None:
            row = store.next_received(chat_id)
            if row is None:
                return Step(None)
        incoming = Incoming.from_received(row)
        decided = self._decide(incoming)
        if isinstance(decided, Pending):
            if any(r.has_chart for r in decided.replies):
                return Step(incoming, pending=decided)
            decided = decided.turn([from_reply(r) for r in decided.replies])
        store.commit_turn(decided)
        try:
            queued = None
            if self.hand_over is not None and decided.replies:
                queued = store.outgoing_of(chat_id, limit=HAND_OVER_MOST)
                if len(queued) >= HAND_OVER_MOST:
                    queued = None  # a long backlog: the sender reads it from the store
            following = store.next_received(chat_id)
            return Step(incoming, turn=decided, following=following, queued=queued)
        except StoreError:  # committed; whether more waits is read again by the next call
            return Step(incoming, turn=decided, more=True)

    def _decide(self, incoming: Incoming) -> Turn | Pending:
        """What this update does (store reads only): a turn, or the dialogue's replies."""
        store = self.db.store
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
        if resend or store.awaiting_input(chat) == digest:
            log.info("update %d repeats a message whose reply is on its way; not applied", uid)
            return Turn(chat, uid)
        before = restore(store.load_state(chat))
        try:
            state, replies = handle(before, incoming.text, today=self.date(), button=button)
        except Exception as exc:  # a bug in the dialogue: say sorry, change nothing
            cid = uuid.uuid4().hex[:10]
            log.error("update %d failed [%s]: %s", uid, cid, type(exc).__name__)
            apology = f"{say('common.apology')} (ref {cid})"
            return Turn(chat, uid, replies=[message(apology)], input_hash=digest)
        shown: list[Outgoing] = []
        if button is not None:
            stale = not button_is_current(before or ChatState(), button)
            shown = pressed(incoming.message_id, incoming.message_html, incoming.label, stale=stale)
        return Pending(incoming, state, replies, shown, digest)

    async def _finish(self, step: Step, typing: Typing) -> None:
        """A turn with a chart: draw it (off the loop), then commit the turn."""
        assert step.pending is not None
        pending = step.pending
        outgoing = await self._outgoing(pending.replies, typing)
        step.turn = pending.turn(outgoing)
        await self.db.call(self.db.store.commit_turn, step.turn, write=True)
        step.more = True  # the next call reads the inbox again

    async def scrub(self) -> None:
        """Truncate the WAL after a /forget; if a reader holds it, try again later."""
        done = await self.db.call(self.db.store.scrub_wal)
        self.scrub_pending = not done
        if not done:
            log.warning("the log of deleted rows is still held by a reader; truncating later")

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
