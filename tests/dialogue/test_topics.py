"""Typed topics: a question instead of an answer opens that topic (table of phrasings)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue.machine import handle
from bot.dialogue.topics import topic_of

PHRASINGS = [
    ("what happens if i get laid off?", "job_loss"),
    ("I got laid off?", "job_loss"),
    ("what if I lose my job", "job_loss"),
    ("what if they fire me", None),
    ("i might get fired", "job_loss"),
    ("what if I quit my job?", "job_loss"),
    ("and if I leave my job next year", "job_loss"),
    ("layoffs are coming", "job_loss"),
    ("can I take a hardship withdrawal for medical bills?", "hardship"),
    ("hardship", "hardship"),
    ("what counts as a hardship", "hardship"),
    ("should I take a loan instead?", "loan_instead"),
    ("loan instead", "loan_instead"),
    ("would borrowing instead be better", "loan_instead"),
    ("instead could I get a loan", "loan_instead"),
    ("penalty", "penalty"),
    ("is there a penalty", "penalty"),
    ("what about the 10% penalty", "penalty"),
    ("do I pay the additional tax?", "penalty"),
    ("is this taxed", "taxes"),
    ("how much tax will I pay", "taxes"),
    ("what about taxes", "taxes"),
    ("should I roll over", "rollover"),
    ("can I roll it over to my new plan?", "rollover"),
    ("show the chart", "chart"),
    ("vesting?", "vesting"),
    ("how much is vested", "vesting"),
    ("what about my loan", "loan"),
    ("your loan", "loan"),
    ("can I cash it out", "cash_out"),
    ("cash-out cost", "cash_out"),
    ("what are my options", "options"),
    ("what should I do", "plan"),
    ("any deadlines?", "plan"),
    ("what did you assume", "assumed"),
    ("what about fees", "fees"),
    ("sources", "sources"),
    ("roth?", "roth"),
    ("when do RMDs start", "rmd"),
    ("why this?", "why"),
    ("where each part goes", "parts"),
    ("how long will my money last", "retirement"),
    ("short answer", "verdict"),
    ("medical bills", None),
    ("85k", None),
    ("no loan", None),
    ("biweekly", None),
]


@pytest.mark.parametrize(("typed", "topic"), PHRASINGS)
def test_topic_of(typed: str, topic: str | None) -> None:
    assert topic_of(typed) == topic


TODAY = date(2026, 11, 23)


def test_a_topic_instead_of_an_answer_keeps_the_question_and_stores_nothing() -> None:
    state, _ = handle(None, "/start", today=TODAY)
    state, _ = handle(state, "2", today=TODAY)
    assert state is not None
    state, _ = handle(state, "40", today=TODAY)
    assert state is not None
    before = dict(state.answers)
    state, replies = handle(state, "what happens if I get laid off?", today=TODAY)
    assert state is not None and state.answers == before and state.current == "salary"
    text = "\n".join(r.text for r in replies)
    assert "If your job ends" in text and "yearly pay" in text
