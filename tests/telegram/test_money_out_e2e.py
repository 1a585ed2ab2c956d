"""The withdrawal and loan paths through the real bot process and the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.dialogue.profile import build_profile
from bot.render import money
from engine import evaluate
from tests.dialogue.test_money_out_paths import (
    LOAN_ANSWERS,
    LOAN_TYPED,
    WITHDRAWAL_ANSWERS,
    WITHDRAWAL_TYPED,
)
from tests.telegram.bot_process import BotProcess, FakeServer, wait
from tests.telegram.test_bot_e2e import ready, say, texts


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


def _talk(server: FakeServer, chat: int, typed: list[str]) -> str:
    """/start, then every answer typed (no buttons), then all the bot said."""
    say(server, chat, "/start")
    for line in typed:
        say(server, chat, line)
    return "\n".join(texts(server, chat))


def test_loan_path_typed_then_laid_off(server: FakeServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "l.db", tmp_path / "bot.log")
    try:
        ready(server)
        today = datetime.now(UTC).date()
        q = evaluate(build_profile(LOAN_ANSWERS, today)).loan.request
        assert q is not None and q.payment is not None
        _talk(server, 71, LOAN_TYPED)
        wait(lambda: any("each payday" in t for t in texts(server, 71)), what="the loan answer")
        joined = "\n".join(texts(server, 71))
        assert f"You repay <b>{money(q.payment)} each payday</b>" in joined
        say(server, 71, "I got laid off?")
        wait(
            lambda: any("If your job ends, in your numbers" in t for t in texts(server, 71)),
            what="the job-loss part",
        )
    finally:
        bot.stop()


def test_withdrawal_path_typed(server: FakeServer, tmp_path: Path) -> None:
    bot = BotProcess(server, tmp_path / "w.db", tmp_path / "bot.log")
    try:
        ready(server)
        today = datetime.now(UTC).date()
        w = evaluate(build_profile(WITHDRAWAL_ANSWERS, today)).withdrawal
        assert w is not None
        _talk(server, 72, WITHDRAWAL_TYPED)
        wait(lambda: any("in hand, ask the plan" in t for t in texts(server, 72)), what="answer")
        joined = "\n".join(texts(server, 72))
        assert f"ask the plan for <b>{money(w.gross)}</b>" in joined
        assert money(w.penalty) in joined and "hardship withdrawal" in joined
    finally:
        bot.stop()


def test_savers_and_retirees_through_telegram(server: FakeServer, tmp_path: Path) -> None:
    """Three savers and three retirees typed through the real bot: figures and the chart."""
    from tests.dialogue.test_saving_retiring_people import RETIREES, SAVERS

    bot = BotProcess(server, tmp_path / "s.db", tmp_path / "bot.log")
    try:
        ready(server)
        today = datetime.now(UTC).date()
        for chat, saver in enumerate(SAVERS, start=80):
            s = evaluate(build_profile(saver.answers, today)).saving
            assert s is not None
            _talk(server, chat, saver.typed)
            wait(
                lambda c=chat: any("Where this is heading" in x for x in texts(server, c)),
                what="the saving answer",
            )
            joined = "\n".join(texts(server, chat))
            assert money(s.projected_balance) in joined and money(s.room_left) in joined
        for chat, retiree in enumerate(RETIREES, start=90):
            t = evaluate(build_profile(retiree.answers, today)).retirement
            assert t is not None and t.historical is not None
            h = t.historical
            _talk(server, chat, retiree.typed)  # the sections opened last: the chart too
            wait(
                lambda c=chat: any("Every retirement since" in x for x in texts(server, c)),
                what="the retiring answer",
            )
            lasted = f"the money lasted in <b>{h.lasted} of {h.cohorts}</b>"
            assert lasted in "\n".join(texts(server, chat))
            wait(
                lambda c=chat: any(m["method"] == "sendPhoto" for m in server.client.sent(c)),
                what="the retirement chart",
            )
    finally:
        bot.stop()
