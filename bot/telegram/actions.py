"""Chat actions ("typing", "upload_photo"): sent directly, never through the outbox.

They are ephemeral (Telegram shows one for five seconds or until the next message), so a lost
one costs nothing: every failure is logged at debug level and ignored, and each call is bounded
by a short timeout so that a slow Bot API never delays a turn by more than that.

When 'typing' shows: for any turn still running after TYPING_AFTER seconds, renewed while it
runs (most turns, the answer included, take milliseconds and need none, which saves a call per
message: until then only a timer is set), and at once while an answer's chart is drawn.
'upload_photo' precedes each chart (the sender).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.constants import ChatAction

log = logging.getLogger("advisor.telegram")

TIMEOUT = 2.0  # seconds one chat action may take
TYPING_AFTER = 1.0  # a reply later than this shows "typing" (a second keeps the flow)
TYPING_EVERY = 4.5  # and again before Telegram's five seconds run out
_ENDING: set[asyncio.Task[None]] = set()  # cancelled timers, referenced until they end


async def chat_action(bot: Bot, chat_id: int, action: ChatAction) -> None:
    """Send one chat action; its failure never matters."""
    try:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        async with asyncio.timeout(TIMEOUT + 1):
            await bot.send_chat_action(
                chat_id,
                action,
                read_timeout=TIMEOUT,
                write_timeout=TIMEOUT,
                connect_timeout=TIMEOUT,
            )
    except Exception as exc:  # ephemeral: nothing depends on it
        log.debug("chat action %s not shown (%s)", action.value, type(exc).__name__)


class Typing:
    """'typing' in one chat while a turn runs: once it is slow, or at once for the engine path."""

    def __init__(self, bot: Bot, chat_id: int, after: float = TYPING_AFTER) -> None:
        """Nothing is sent until start()."""
        self.bot = bot
        self.chat_id = chat_id
        self.after = after
        self.shown = False
        self.stopped = False
        self._alarm: asyncio.TimerHandle | None = None
        self._timer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Show 'typing' if the turn is still running after `after` seconds, then keep it up.

        Until then only a timer is set (no task): most turns end long before it.
        """
        self._alarm = asyncio.get_running_loop().call_later(self.after, self._begin)

    def _begin(self) -> None:
        """The turn is slow: start showing 'typing'."""
        self._alarm = None
        if not self.stopped:
            self._timer = asyncio.create_task(self._keep())

    async def _keep(self) -> None:
        """Show 'typing', and renew it until stopped."""
        await self.now()
        while not self.stopped:
            await asyncio.sleep(TYPING_EVERY)
            if not self.stopped:
                await chat_action(self.bot, self.chat_id, ChatAction.TYPING)

    async def now(self) -> None:
        """Show 'typing' now (the answer is being computed), unless it already shows."""
        if self.shown:
            return
        self.shown = True
        await chat_action(self.bot, self.chat_id, ChatAction.TYPING)

    async def stop(self) -> None:
        """The turn is done: no more 'typing'. Never waits: the turn must not hang on it."""
        self.stopped = True
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None
        if self._timer is not None:
            self._timer.cancel()  # ends by itself; the flag ends it even if a cancel is lost
            _ENDING.add(self._timer)
            self._timer.add_done_callback(_ENDING.discard)
            self._timer = None
