"""'typing' never holds up a turn: stopping it returns at once, even if a cancel is lost."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from telegram.constants import ChatAction

from bot.telegram import actions
from bot.telegram.actions import Typing, chat_action


class SwallowingBot:
    """A Bot whose send_chat_action swallows the first cancellation (as wait_for could)."""

    def __init__(self) -> None:
        self.calls = 0

    async def send_chat_action(self, chat_id: int, action: Any, **timeouts: Any) -> bool:
        self.calls += 1
        with contextlib.suppress(asyncio.CancelledError):  # the lost cancellation
            await asyncio.sleep(0.05)
        return True


def test_stop_returns_at_once_and_the_timer_ends_even_when_a_cancel_is_lost(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(actions, "TYPING_EVERY", 0.01)

    async def run() -> tuple[float, int, int]:
        bot = SwallowingBot()
        typing = Typing(bot, 7, after=0.0)  # type: ignore[arg-type]
        typing.start()
        await asyncio.sleep(0.03)  # inside a chat action now
        loop = asyncio.get_running_loop()
        began = loop.time()
        await typing.stop()
        took = loop.time() - began
        await asyncio.sleep(0.2)
        calls = bot.calls
        await asyncio.sleep(0.1)
        return took, calls, bot.calls - calls

    took, calls, after = asyncio.run(run())
    assert took < 0.01  # stop() does not wait for the timer
    assert calls >= 1 and after == 0  # the timer ended: no 'typing' after the turn
    assert not actions._ENDING


def test_a_chat_action_that_hangs_is_given_up_within_its_timeout(monkeypatch: Any) -> None:
    monkeypatch.setattr(actions, "TIMEOUT", 0.05)

    class Hanging:
        async def send_chat_action(self, *args: Any, **kwargs: Any) -> bool:
            await asyncio.sleep(60)
            return True

    async def run() -> float:
        loop = asyncio.get_running_loop()
        began = loop.time()
        await chat_action(Hanging(), 7, ChatAction.TYPING)  # type: ignore[arg-type]
        return loop.time() - began

    assert asyncio.run(run()) < 1.5


class CountingBot:
    """A Bot that counts chat actions."""

    def __init__(self) -> None:
        self.actions: list[str] = []

    async def send_chat_action(self, chat_id: int, action: Any, **timeouts: Any) -> bool:
        self.actions.append(str(action))
        return True


def test_typing_shows_only_for_a_turn_still_running_after_the_delay() -> None:
    async def run(turn_s: float) -> list[str]:
        bot = CountingBot()
        typing = Typing(bot, 7, after=0.05)  # type: ignore[arg-type]
        typing.start()
        await asyncio.sleep(turn_s)  # the turn
        await typing.stop()
        await asyncio.sleep(0.1)
        return bot.actions

    assert asyncio.run(run(0.01)) == []  # a quick turn: nothing shown, no task started
    assert asyncio.run(run(0.2)) == [str(ChatAction.TYPING)]  # a slow one: 'typing' once
