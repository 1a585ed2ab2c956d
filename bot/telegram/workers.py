"""One asyncio task per chat with work waiting: chats run side by side, each chat in order."""

from __future__ import annotations

import asyncio
import contextlib


class ChatWorkers:
    """Starts a chat's `_drain` when woken; a chat woken while draining is marked dirty."""

    def __init__(self) -> None:
        """No chat has a task yet."""
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()

    def wake(self, chat_id: int) -> None:
        """New work for this chat is stored."""
        self._dirty.add(chat_id)
        if chat_id not in self._tasks:
            self._tasks[chat_id] = asyncio.create_task(self._drain(chat_id))

    async def stop(self) -> None:
        """Cancel every chat's task (what is stored stays there)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drain(self, chat_id: int) -> None:
        """Do the chat's stored work until there is none (each subclass's own)."""
        raise NotImplementedError
