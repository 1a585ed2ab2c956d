"""A reference bot built like python-telegram-bot's own `persistentconversationbot` example.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=... python -m tests.benchmarks.reference_bot

ConversationHandler (persistent, named), PTB's default sequential update processing (no
concurrent_updates), PicklePersistence (flushed every 60 s and at shutdown, PTB's default),
no rate limiter, PTB's default connection pool, `run_polling()`. It asks the same job-change
questions with the same buttons and stores each answer in user_data, but skips the rules
engine and the rendering: the last answer gets a one-line thank-you instead of the report.
The pickle goes to REFERENCE_PICKLE, else next to ADVISOR_DB (suffix .pickle), else data/.
Used only as the yardstick in docs/performance.md.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

(
    GOAL,
    AGE,
    SALARY,
    PRETAX,
    EMPLOYER,
    SCHEDULE,
    NEXT_DATE,
    LOAN,
    SEPARATION,
    FILING,
) = range(10)

QUESTIONS = {
    AGE: "Question 1 of 9: how old are you?",
    SALARY: "Question 2 of 9: what is your yearly pay from this employer, before taxes?",
    PRETAX: "Question 3 of 9: how much is in your 401(k) from your own pre-tax contributions?",
    EMPLOYER: "Question 4 of 9: how much of the balance is employer money (match)?",
    SCHEDULE: "Question 5 of 9: which vesting schedule does your plan use?",
    NEXT_DATE: "Question 6 of 9: when do you complete your next year of service?",
    LOAN: "Question 7 of 9: how much do you still owe on a 401(k) loan?",
    SEPARATION: "Question 8 of 9: what is (or was) your last day at this job?",
    FILING: "Question 9 of 9: how do you file your taxes?",
}
CHOICES = {
    GOAL: ("goal", [("job_change", "I am changing jobs"), ("loan", "I need a loan")]),
    SCHEDULE: ("schedule", [("graded6", "Graded, 6 years"), ("cliff3", "Cliff, 3 years")]),
    FILING: ("filing", [("single", "Single"), ("married_joint", "Married, jointly")]),
}
KEYS = {AGE: "age", SALARY: "salary", PRETAX: "pretax", EMPLOYER: "employer"}
KEYS |= {NEXT_DATE: "next_year_date", LOAN: "loan", SEPARATION: "separation_date"}

logging.basicConfig(format="%(asctime)s - %(name)s - %(levelname)s - %(message)s", level="INFO")
logging.getLogger("httpx").setLevel(logging.WARNING)


def markup(state: int) -> InlineKeyboardMarkup | None:
    """The buttons of a choice question."""
    if state not in CHOICES:
        return None
    question, options = CHOICES[state]
    rows = [
        [InlineKeyboardButton(label, callback_data=f"a:{question}:{key}")] for key, label in options
    ]
    return InlineKeyboardMarkup(rows)


async def ask(update: Update, state: int) -> int:
    """Send the question of a state and move there."""
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(QUESTIONS[state], reply_markup=markup(state))
    return state


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Greet and offer the goals."""
    assert update.message is not None
    await update.message.reply_text("Hi! What brings you here?", reply_markup=markup(GOAL))
    return GOAL


async def chose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A button: store the choice and ask the next question."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    _, question, choice = query.data.split(":", 2)
    context.user_data[question] = choice
    following = {"goal": AGE, "schedule": NEXT_DATE}
    if question in following:
        return await ask(update, following[question])
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message("Thanks, that is everything. Your answers are saved.")
    return ConversationHandler.END


def typed(state: int, following: int) -> MessageHandler[ContextTypes.DEFAULT_TYPE, int]:
    """A handler storing the typed answer of state and asking the following question."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and context.user_data is not None
        context.user_data[KEYS[state]] = update.message.text
        return await ask(update, following)

    return MessageHandler(filters.TEXT & ~filters.COMMAND, answer)


def pickle_path() -> Path:
    """Where PicklePersistence keeps its file."""
    if os.environ.get("REFERENCE_PICKLE"):
        return Path(os.environ["REFERENCE_PICKLE"])
    if os.environ.get("ADVISOR_DB"):
        return Path(os.environ["ADVISOR_DB"]).with_suffix(".pickle")
    return Path("data/reference_bot.pickle")


def main() -> int:
    """Build the application like the example and poll until SIGTERM/SIGINT."""
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    base_url = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot")
    path = pickle_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    persistence = PicklePersistence(filepath=path)
    application = (
        Application.builder().token(token).base_url(base_url).persistence(persistence).build()
    )
    chain = [AGE, SALARY, PRETAX, EMPLOYER, SCHEDULE, NEXT_DATE, LOAN, SEPARATION, FILING]
    states: dict[object, list[object]] = {
        GOAL: [CallbackQueryHandler(chose)],
        SCHEDULE: [CallbackQueryHandler(chose)],
        FILING: [CallbackQueryHandler(chose)],
    }
    for state, following in itertools.pairwise(chain):
        if state not in CHOICES:
            states[state] = [typed(state, following)]
    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states=states,  # type: ignore[arg-type]
        fallbacks=[CommandHandler("start", start)],
        name="job_change",
        persistent=True,
    )
    application.add_handler(conversation)
    application.run_polling()
    return 0


if __name__ == "__main__":
    sys.exit(main())
