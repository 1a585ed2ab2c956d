"""'Question N of M' on every goal path: N moves one at a time, M never grows."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import pytest

import bot.dialogue.machine as machine_module
import bot.dialogue.progress as progress_module
from bot.dialogue.machine import handle
from bot.dialogue.questions import BY_KEY, GOALS

TODAY = date(2026, 12, 3)
COUNTER = re.compile(r"Question (\d+) of (\d+)")
Answer = str | tuple[str]  # typed text, or (button key,)

JOB = {"age": "45", "salary": "85k", "balance": "60000", "leaving_date": "2026-12-15"}
ACCOUNT = {"age": "40", "salary": "85k", "balance": "60000"}
LOAN = {**ACCOUNT, "loan_amount": "10000", "loan_rate": "7", "pay_frequency": ("26",)}
OUT = {**ACCOUNT, "withdraw": "10000", "leaving_date": "2026-12-20"}
SAVE = {"age": "30", "retirement_age": "65", "salary": "60k", "balance": "10000"}
RETIRE = {"age": "64", "retirement_age": "65", "salary": "60k", "savings": "500000"}
RETIRE |= {"spending": "5000", "essential": "3000", "stock_share": "60"}

# What a question that must be answered gets when a pattern does not say.
TYPED = {
    "start_date": "2020-01-01",
    "contribution": "6",
    "prior_wages": "150000",
    "children": "1",
    "highest_loan": "9000",
    "spouse_age": "60",
}

# Several answer patterns per path: each takes a different branch of the question table.
PATTERNS: list[tuple[str, dict[str, Answer]]] = [
    ("job_change", {**JOB, "employer": "12000", "schedule": ("graded6",), "loan": "8000"}),
    ("job_change", {**JOB, "employer": "0", "loan": "0", "filing": ("married_joint",)}),
    ("job_change", {**JOB, "age": "52", "employer": "12000", "schedule": ("immediate",)}),
    ("job_change", {**JOB, "age": "75", "employer": "1", "schedule": ("cliff3",)}),
    ("job_change", {**JOB, "age": "75", "employer": "0", "five_percent_owner": ("yes",)}),
    ("job_change", {**JOB, "salary": "85000", "employer": "idk", "loan": "idk"}),
    ("loan", {**LOAN, "employer": "0", "loan": "0", "loan_purpose": ("general",)}),
    ("loan", {**LOAN, "employer": "0", "loan": "5000", "loan_purpose": ("residence",)}),
    ("loan", {**LOAN, "employer": "1", "loan": "5000", "filing": ("married_joint",)}),
    ("loan", {**LOAN, "age": "74", "employer": "0", "loan": "0"}),
    ("withdrawal", {**OUT, "employment": ("staying",), "reason": ("medical",)}),
    ("withdrawal", {**OUT, "employment": ("leaving",), "situation": ("birth_adoption",)}),
    ("withdrawal", {**OUT, "age": "53", "employment": ("leaving",), "reason": ("none",)}),
    ("withdrawal", {**OUT, "age": "62", "employment": ("staying",), "reason": ("none",)}),
    ("withdrawal", {**OUT, "age": "76", "employment": ("leaving",), "employer": "5"}),
    ("saving", {**SAVE}),
    ("saving", {**SAVE, "age": "55", "salary": "160k", "prior_wages": "150000"}),
    ("saving", {**SAVE, "age": "62", "salary": "200k", "match": ("none",)}),
    ("retiring", {**RETIRE, "social_security": "2000", "pension": "0"}),
    ("retiring", {**RETIRE, "social_security": "0", "pension": "1000"}),
    ("retiring", {**RETIRE, "social_security": "idk", "filing": ("married_joint",)}),
]


def counters(path: str, answers: dict[str, Answer]) -> list[tuple[str, int, int]]:
    """(question, N, M) of every main question asked until the answer comes."""
    state, replies = handle(None, "/start", today=TODAY)
    state, replies = handle(state, "", today=TODAY, button=("goal", path))
    seen: list[tuple[str, int, int]] = []
    for _ in range(60):
        assert state is not None
        if state.answered_once or state.mode not in ("asking", "confirming"):
            return seen
        if state.mode == "confirming":
            state, replies = handle(state, "yes", today=TODAY)
            continue
        key = state.current
        assert key is not None
        shown = COUNTER.search(replies[-1].text)
        assert shown is not None, f"{key} is asked without its counter"
        seen.append((key, int(shown.group(1)), int(shown.group(2))))
        answer = answers.get(key)
        if answer is None:  # the first button, a plain answer, or "I don't know"
            choices = BY_KEY[key].choices(TODAY.year)
            answer = (choices[0].key,) if choices else TYPED.get(key, "idk")
        if isinstance(answer, tuple):
            state, replies = handle(state, "", today=TODAY, button=(key, answer[0]))
        else:
            state, replies = handle(state, answer, today=TODAY)
    raise AssertionError("the questions never ended")


@pytest.mark.parametrize(("path", "answers"), PATTERNS)
def test_the_counter_moves_by_one_and_its_total_never_grows(
    path: str, answers: dict[str, Answer]
) -> None:
    seen = counters(path, answers)
    assert seen and seen[0][1] == 1
    for (q1, n1, m1), (q2, n2, m2) in itertools.pairwise(seen):
        step = f"{q1} ({n1} of {m1}) -> {q2} ({n2} of {m2})"
        assert n2 == (n1 if q1 == q2 else n1 + 1), step  # a re-ask keeps its number
        assert m2 <= m1, step
    assert all(n <= m for _, n, m in seen)


def test_every_path_is_walked() -> None:
    paths = {c.key for c in GOALS(TODAY.year)}
    assert {path for path, _ in PATTERNS} == paths
    for path in paths:
        assert sum(1 for p, _ in PATTERNS if p == path) >= 3


def test_a_remembered_count_is_the_count_computed_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every pattern with other amounts, then again: each count progress() gives,
    # remembered or not, equals the one computed from scratch with nothing remembered.
    checked: list[bool] = []
    original = progress_module.progress

    def checking(answers: dict[str, Any], q: Any) -> tuple[int, int] | None:
        given = original(answers, q)
        checked.append(given == progress_module._count(answers, q, None))
        return given

    monkeypatch.setattr(machine_module, "progress", checking)
    progress_module._MEMO.clear()
    variants = [
        (path, {**answers, **{k: v for k, v in other.items() if k in answers}})
        for path, answers in PATTERNS
        for other in ({}, {"balance": "30000"}, {"salary": "250k", "balance": "900000"})
    ]
    for path, answers in variants:
        counters(path, answers)
    for path, answers in PATTERNS:
        counters(path, answers)
    assert len(checked) > 300 and all(checked)
