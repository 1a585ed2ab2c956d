"""Chat actions ("typing", "upload_photo"): sent directly, never through the outbox.

They are ephemeral (Telegram shows one for five seconds or until the next message), so a lost
one costs nothing: every failure is logged at debug level and ignored, and each call is bounded
by a short timeout so that a slow Bot API never delays a turn by more than that.

When 'typing' shows: for any turn still running after TYPING_AFTER seconds (most turns take a
few milliseconds and need none, which saves a call per message), and at once when the turn
computed an answer (the engine ran and its chart is being drawn, the slow part), so the person
sees the bot at work before every answer. 'upload_photo' precedes each chart (the sender).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.constants import ChatAction

log = logging.getLogger("advisor.telegram")

TIMEOUT = 2.0  # seconds one chat action may take
TYPING_AFTER = 0.3  # a turn still running after this long shows "typing"
TYPING_EVERY = 4.5  # and again before Telegram's five seconds run out


async def chat_action(bot: Bot, chat_id: int, action: ChatAction) -> None:
    """Send one chat action; its failure never matters."""
    try:
        await asyncio.wait_for(
            bot.send_chat_action(
                chat_id,
                action,
                read_timeout=TIMEOUT,
                write_timeout=TIMEOUT,
                connect_timeout=TIMEOUT,
            ),
            TIMEOUT + 1,
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
        self._timer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Show 'typing' if the turn is still running after `after` seconds, then keep it up."""
        self._timer = asyncio.create_task(self._keep())

    async def _keep(self) -> None:
        """The timer: wait, then show and renew until stopped."""
        await asyncio.sleep(self.after)
        await self.now()
        while True:
            await asyncio.sleep(TYPING_EVERY)
            await chat_action(self.bot, self.chat_id, ChatAction.TYPING)

    async def now(self) -> None:
        """Show 'typing' now (the answer is being computed), unless it already shows."""
        if self.shown:
            return
        self.shown = True
        await chat_action(self.bot, self.chat_id, ChatAction.TYPING)

    async def stop(self) -> None:
        """The turn is done: no more 'typing'."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None
