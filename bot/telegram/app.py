"""The Telegram adapter: translate an update, call the dialogue, store, send (thin handlers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chart import chart_png
from bot.dialogue.commands import menu
from bot.dialogue.machine import handle
from bot.dialogue.replies import Button, Reply
from bot.dialogue.state import restore, stored
from bot.settings import Settings
from bot.store import SQLiteStore, StoreError
from bot.telegram.processor import ChatOrderedProcessor
from bot.wording import say

log = logging.getLogger("advisor.telegram")

APOLOGY = say("common.apology")
CALLBACK_PREFIX = "a"


def callback_data(button: Button) -> str:
    """A button's data: a:<question>:<choice> (at most 64 bytes, checked in tests)."""
    return f"{CALLBACK_PREFIX}:{button.question}:{button.choice}"


def parse_callback(data: str) -> Button | None:
    """The button pressed, or None for a foreign button."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX:
        return None
    return Button(parts[1], parts[2])


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard, one button a row."""
    buttons = reply.buttons()
    if not buttons:
        return None
    rows = [
        [InlineKeyboardButton(label[:60], callback_data=callback_data(button))]
        for label, button in buttons
    ]
    return InlineKeyboardMarkup(rows)


class Advisor:
    """Holds the store and the clock; one instance per process."""

    def __init__(self, store: SQLiteStore, today: Any = None) -> None:
        """The store answers are kept in, and a fixed date for tests."""
        self.store = store
        self.today = today
        self.last_update_at: float | None = None

    def date(self) -> Any:
        """Today's date (injectable for tests)."""
        return self.today or datetime.now(UTC).date()

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update: dedup, dialogue, write-through, then the replies."""
        chat = update.effective_chat
        if chat is None:
            return
        self.last_update_at = time.time()
        button = None
        text = ""
        if update.callback_query is not None:
            query = update.callback_query
            with contextlib.suppress(BadRequest):  # too old to answer; the reply still explains
                await query.answer()
            button = parse_callback(query.data or "")
            if button is None:
                return
        elif update.effective_message is not None and update.effective_message.text is not None:
            text = update.effective_message.text
        else:
            return
        if chat.type != ChatType.PRIVATE:
            await context.bot.send_message(chat.id, say("dialogue.private_only"))
            return
        if self.store.was_processed(update.update_id):
            return
        record = self.store.load(chat.id)
        state, replies = handle(
            restore(record.state if record else None), text, today=self.date(), button=button
        )
        if state is None:
            self.store.forget(chat.id)
            context.application.drop_chat_data(chat.id)
            if update.effective_user is not None:
                context.application.drop_user_data(update.effective_user.id)
        else:
            self.store.apply(chat.id, update.update_id, stored(state))
        await self.send(context, chat.id, replies)

    async def send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]
    ) -> None:
        """Send the replies in order; a blocked chat is marked inactive and left alone."""
        try:
            for r in replies:
                await context.bot.send_message(
                    chat_id, r.text, parse_mode=ParseMode.HTML, reply_markup=keyboard(r)
                )
                if r.has_chart and r.report is not None:
                    png = await asyncio.to_thread(chart_png, r.report)
                    if png:
                        caption = say("dialogue.chart_caption")
                        await context.bot.send_photo(chat_id, png, caption=caption)
        except Forbidden:
            log.info("chat marked inactive: the user blocked the bot")
            self.store.set_active(chat_id, False)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one error handler: an apology for the person, a correlation id in the log."""
        cid = uuid.uuid4().hex[:10]
        err = context.error
        # Telegram's own error texts never echo what the person typed; other errors may.
        detail = f": {err}" if isinstance(err, TelegramError) else ""
        log.error("update failed [%s]: %s%s", cid, type(err).__name__, detail)
        if isinstance(err, StoreError):
            log.error("store error [%s]: %s", cid, err)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, f"{APOLOGY} (ref {cid})")
            except Exception:  # the apology itself failed; nothing more to do
                log.warning("apology not delivered [%s]", cid)


def build_application(
    settings: Settings, advisor: Advisor
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The python-telegram-bot Application wired to our processor, handlers and limits."""
    assert settings.TELEGRAM_BOT_TOKEN is not None
    builder = (
        ApplicationBuilder()
        .token(settings.TELEGRAM_BOT_TOKEN.get_secret_value())
        .base_url(settings.TELEGRAM_API_BASE_URL)
        .base_file_url(settings.TELEGRAM_API_BASE_URL.replace("/bot", "/file/bot"))
        .concurrent_updates(ChatOrderedProcessor(256))
        .rate_limiter(AIORateLimiter(max_retries=8))
        .connection_pool_size(64)
        .post_init(register_commands)
    )
    if settings.WEBHOOK_URL:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, advisor.on_update))
    app.add_handler(CallbackQueryHandler(advisor.on_update))
    app.add_error_handler(advisor.on_error)
    return app


async def register_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the command menu (at start-up, before the first update), from the one list."""
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in menu()])
