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
from bot.dialogue.machine import Reply, handle
from bot.settings import Settings
from bot.store import SQLiteStore, StoreError
from bot.telegram.processor import ChatOrderedProcessor

log = logging.getLogger("advisor.telegram")

COMMANDS = [
    ("start", "Begin or continue"),
    ("back", "The previous question"),
    ("edit", "Change an answer"),
    ("summary", "Your answers so far"),
    ("why", "Where each figure comes from"),
    ("restart", "Start over"),
    ("forget", "Delete everything about you"),
    ("privacy", "What I keep"),
    ("help", "How this works"),
]
PRIVATE_ONLY = "I only work in a private chat. Open a chat with me to start."
APOLOGY = "Sorry, something went wrong on my side. Your answers are safe; please send that again."
CALLBACK_PREFIX = "a"


def callback_data(question: str, choice: str) -> str:
    """A button's data: a:<question>:<choice> (at most 64 bytes, checked in tests)."""
    return f"{CALLBACK_PREFIX}:{question}:{choice}"


def parse_callback(data: str) -> tuple[str, str] | None:
    """The (question, choice) a button answers, or None for a foreign button."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != CALLBACK_PREFIX:
        return None
    return parts[1], parts[2]


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's choices as an inline keyboard, one button a row."""
    if not reply.choices or not reply.question:
        return None
    rows = [
        [InlineKeyboardButton(label[:60], callback_data=callback_data(reply.question, key))]
        for key, label in reply.choices
    ]
    return InlineKeyboardMarkup(rows)


class Advisor:
    """Holds the store and the clock; one instance per process."""

    def __init__(self, store: SQLiteStore, today: Any = None) -> None:
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
            await context.bot.send_message(chat.id, PRIVATE_ONLY)
            return
        if self.store.was_processed(update.update_id):
            return
        record = self.store.load(chat.id)
        state = record.state if record else None
        replies = self._deep_link(state, text)
        if replies is None:
            state, replies = handle(state, text, today=self.date(), button=button)
        else:
            state, replies = replies
        if state is None:
            self.store.forget(chat.id)
            context.application.drop_chat_data(chat.id)
            if update.effective_user is not None:
                context.application.drop_user_data(update.effective_user.id)
        else:
            self.store.apply(chat.id, update.update_id, state)
        await self.send(context, chat.id, replies)

    def _deep_link(
        self, state: dict[str, Any] | None, text: str
    ) -> tuple[dict[str, Any] | None, list[Reply]] | None:
        """`/start job_change` (a t.me deep link) starts that path at once."""
        parts = text.split()
        if len(parts) != 2 or parts[0] != "/start" or (state and state["answers"].get("path")):
            return None
        st, first = handle(state, "/start", today=self.date())
        st2, more = handle(st, parts[1], today=self.date(), button=("goal", parts[1]))
        if st2 is None or not st2["answers"].get("path"):
            return st, first
        return st2, more

    async def send(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]
    ) -> None:
        """Send the replies in order; a blocked chat is marked inactive and left alone."""
        try:
            for r in replies:
                await context.bot.send_message(
                    chat_id, r.text, parse_mode=ParseMode.HTML, reply_markup=keyboard(r)
                )
                if r.report is not None:
                    png = await asyncio.to_thread(chart_png, r.report)
                    if png:
                        await context.bot.send_photo(chat_id, png, caption="Your options")
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
    )
    if settings.WEBHOOK_URL:
        builder = builder.updater(None)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, advisor.on_update))
    app.add_handler(CallbackQueryHandler(advisor.on_update))
    app.add_error_handler(advisor.on_error)
    return app


async def register_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the command menu (at start-up, before the first update)."""
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
