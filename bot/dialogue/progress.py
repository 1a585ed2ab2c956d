"""How many main questions a path can still ask: "Question N of M" that never jumps or grows.

N counts the questions answered so far that still apply, plus the one asked now. M adds every
unanswered question that some answers still to come could make apply: each question's own
`asked_when` is tried with the possible answers of the questions it reads (the buttons, the
table's assumptions, and typed samples read by the question's own reader). M is then an upper
bound that only shrinks as answers rule branches out; it is exact once nothing is left open.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from functools import cache, lru_cache
from typing import Any

from pydantic import JsonValue

from bot.dialogue.questions import BY_KEY, MAIN, TODAY, Asking, Question
from bot.dialogue.state import Answers
from engine import parameters as params

# Typed samples every typed question is read with: nothing, a little, a lot.
AMOUNT_SAMPLES = ("0", "1", "1000000")
# An answer other answers follow from (an age gives the age at year end) is also read as every
# whole number up to this, so that no branch that starts at some age is missed.
SWEEP = 120
DEPTH = 2  # open questions tried together for one condition (no condition reads more)


class _Reading(dict[str, JsonValue]):
    """Answers that remember which keys a condition read."""

    def __init__(self, answers: Answers) -> None:
        """The answers to read; nothing read yet."""
        super().__init__(answers)
        self.read: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        """A value, remembering the key."""
        self.read.append(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> JsonValue:
        """A value, remembering the key."""
        self.read.append(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        """Whether the key is answered, remembering it."""
        if isinstance(key, str):
            self.read.append(key)
        return super().__contains__(key)


_POSITION = {p.key: i for i, p in enumerate(MAIN)}  # a main question's place on its path


def _year(answers: Answers) -> int:
    """The conversation's tax year (set with the age), else the latest covered."""
    year = answers.get("tax_year")
    return year if isinstance(year, int) else max(params.SUPPORTED_YEARS)


def _samples(q: Question, year: int) -> Iterator[JsonValue]:
    """Values the question's answer may take: its buttons, assumptions and typed samples."""
    ask = Asking(today=date(year, 7, 1), tax_year=year, answers={})
    yield from (c.key for c in q.choices(year))
    for value in (q.counted_as, q.unknown_default):
        if value is not None and value != TODAY:
            yield value
    typed = list(AMOUNT_SAMPLES)
    if _derives(q.key, year):
        typed += [str(n) for n in range(SWEEP + 1)]
    for text in typed:
        parsed = q.read(text, ask)
        if parsed.value is not None:
            yield parsed.value


@cache
def _derives(key: str, year: int) -> bool:
    """Whether other answers follow from this question's answer (the age's year-end age)."""
    q = BY_KEY[key]
    ask = Asking(today=date(year, 7, 1), tax_year=year, answers={})
    parsed = q.read("40", ask)
    if parsed.value is None:
        return False
    try:
        return bool(q.derive(parsed.value, ask))
    except (TypeError, ValueError, AssertionError):
        return False


@cache
def _candidates(key: str, year: int) -> tuple[tuple[str, str], ...]:
    """Each possible answer of one question with what follows from it, as JSON (deduplicated)."""
    q = BY_KEY[key]
    ask = Asking(today=date(year, 7, 1), tax_year=year, answers={})
    out: dict[str, str] = {}
    for value in _samples(q, year):
        try:
            extra = q.derive(value, ask)
        except (TypeError, ValueError, AssertionError):
            continue
        out.setdefault(json.dumps(value, sort_keys=True), json.dumps(extra, sort_keys=True))
    return tuple(out.items())


@cache
def _hypotheses(key: str, year: int) -> tuple[dict[str, JsonValue], ...]:
    """Each possible answer of one question with what follows from it, as answers to add."""
    out: list[dict[str, JsonValue]] = []
    for value, extra in _candidates(key, year):
        out.append({key: json.loads(value), **json.loads(extra)})
    return tuple(out)


@cache
def _sources(year: int) -> dict[str, str]:
    """Which question's answer sets each key: its own, or one that follows from it."""
    found = {q.key: q.key for q in MAIN}
    for q in MAIN:
        for _, extra in _candidates(q.key, year):
            for derived in json.loads(extra):
                found.setdefault(derived, q.key)
    return found


def _may_apply(q: Question, answers: Answers, open_keys: frozenset[str], depth: int) -> bool:
    """Whether some answers to the open questions make q apply."""
    reading = _Reading(answers)
    if q.asked_when(reading):
        return True
    if depth == 0:
        return False
    year = _year(answers)
    sources = _sources(year)
    tried: set[str] = set()
    for key in reading.read:
        source = sources.get(key)
        if source is None or source not in open_keys or source in tried:
            continue
        tried.add(source)
        if not BY_KEY[source].asked_when(answers):
            continue  # a question this path does not ask gives no answer to try
        for added in _hypotheses(source, year):
            hypo = {**answers, **added}
            if _may_apply(q, hypo, open_keys - {source}, depth - 1):
                return True
    return False


def progress(answers: Answers, q: Question) -> tuple[int, int] | None:
    """(N, M) for the main question q asked now; None when q is not a main question that applies.

    The same answers give the same counts: the first questions of a path, asked of everyone
    with the same few answers, are counted once (the search is widest there).
    """
    if BY_KEY.get(q.key) is not q:
        return _count(answers, q)
    return _remembered(q.key, json.dumps(answers, sort_keys=True))


@lru_cache(maxsize=1024)
def _remembered(key: str, answers_json: str) -> tuple[int, int] | None:
    """progress() of the question with this key and these answers (as JSON)."""
    return _count(json.loads(answers_json), BY_KEY[key])


def _count(answers: Answers, q: Question) -> tuple[int, int] | None:
    """(N, M), computed."""
    place = _POSITION.get(q.key)
    if place is None or MAIN[place] != q or not q.asked_when(answers):
        return None
    open_keys = frozenset(p.key for p in MAIN if p.key not in answers)
    done = [p for p in MAIN if p.key in answers and p.asked_when(answers)]
    before = [p for p in done if _POSITION[p.key] < place]
    ahead = [
        p
        for p in MAIN
        if p.key not in answers and (p.key == q.key or _may_apply(p, answers, open_keys, DEPTH))
    ]
    return len(before) + 1, len(done) + len(ahead)
