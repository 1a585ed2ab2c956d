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
from functools import cache
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


ALL = "*"  # what a condition read when it looked at every answer (iterated, copied, counted)
PRESENCE = "?"  # before a key: only whether it is answered was read, not its value


class _View(dict[str, JsonValue]):
    """The answers a condition reads: the real ones under hypothetical ones.

    Remembers which keys the condition read (`read`), and which of them were real answers
    (`log`, shared by one whole count): a count is a function of those alone.
    """

    def __init__(
        self, real: Answers, overlay: Answers, log: set[str] | None, read: list[str]
    ) -> None:
        """The real answers, the hypothetical ones over them, and where reads are noted."""
        super().__init__({**real, **overlay})
        self._overlay = overlay
        self._log = log
        self.read = read

    def _note(self, key: object, *, value: bool = True) -> None:
        """A read of one key's value (or, value=False, only of whether it is answered)."""
        if isinstance(key, str):
            self.read.append(key)
            if self._log is not None and key not in self._overlay:
                self._log.add(key if value else PRESENCE + key)

    def _note_all(self) -> None:
        """A look at every answer."""
        if self._log is not None:
            self._log.add(ALL)

    def get(self, key: str, default: Any = None) -> Any:
        """A value, remembering the key."""
        self._note(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> JsonValue:
        """A value, remembering the key."""
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        """Whether the key is answered, remembering that it was asked."""
        self._note(key, value=False)
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        """Every key: every answer counts as read."""
        self._note_all()
        return super().__iter__()

    def __len__(self) -> int:
        """How many answers: every answer counts as read."""
        self._note_all()
        return super().__len__()

    def keys(self) -> Any:
        """Every key: every answer counts as read."""
        self._note_all()
        return super().keys()

    def values(self) -> Any:
        """Every value: every answer counts as read."""
        self._note_all()
        return super().values()

    def items(self) -> Any:
        """Every answer: every answer counts as read."""
        self._note_all()
        return super().items()

    def copy(self) -> dict[str, JsonValue]:
        """A plain copy: every answer counts as read."""
        self._note_all()
        return dict(super().items())


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


def _may_apply(
    q: Question,
    real: Answers,
    overlay: Answers,
    open_keys: frozenset[str],
    depth: int,
    log: set[str] | None,
) -> bool:
    """Whether some answers to the open questions make q apply."""
    reading = _View(real, overlay, log, [])
    if q.asked_when(reading):
        return True
    if depth == 0:
        return False
    year = _year(reading)
    sources = _sources(year)
    tried: set[str] = set()
    for key in reading.read:
        source = sources.get(key)
        if source is None or source not in open_keys or source in tried:
            continue
        tried.add(source)
        if not BY_KEY[source].asked_when(_View(real, overlay, log, [])):
            continue  # a question this path does not ask gives no answer to try
        for added in _hypotheses(source, year):
            if _may_apply(q, real, {**overlay, **added}, open_keys - {source}, depth - 1, log):
                return True
    return False


# Counts already made, per question: for each set of answers a count read, the count by the
# values it read. The same values give the same count, whatever else was answered: the first
# questions of a path, and every later one whose conditions read no amount, are counted once.
_Signature = tuple[str, ...]
_Counts = dict[_Signature, tuple[int, int] | None]
_MEMO: dict[str, dict[tuple[str, ...], _Counts]] = {}  # question -> keys read -> counts
MEMO_SIZE = 4096  # counts kept per question and set of keys read (then they start again)
MEMO_SHAPES = 64  # sets of keys read kept per question


def _signature(answers: Answers, keys: tuple[str, ...]) -> _Signature:
    """What was read at these keys: a value (as JSON), or whether the key is answered."""
    out = []
    for key in keys:
        if key.startswith(PRESENCE):
            out.append("1" if key[1:] in answers else "")
        else:
            out.append(json.dumps(answers[key], sort_keys=True) if key in answers else "")
    return tuple(out)


def progress(answers: Answers, q: Question) -> tuple[int, int] | None:
    """(N, M) for the main question q asked now; None when q is not a main question that applies.

    A count depends only on the answers its conditions read; it is remembered by their values.
    """
    if BY_KEY.get(q.key) is not q:
        return _count(answers, q, None)
    shapes = _MEMO.setdefault(q.key, {})
    for known, counts in list(shapes.items()):
        signature = _signature(answers, known)
        if signature in counts:
            return counts[signature]
    log: set[str] = set()
    counted = _count(answers, q, log)
    if ALL in log:
        return counted  # it looked at every answer: not remembered
    keys = tuple(sorted(log))
    if keys not in shapes and len(shapes) >= MEMO_SHAPES:
        shapes.clear()
    table = shapes.setdefault(keys, {})
    if len(table) >= MEMO_SIZE:
        table.clear()
    table[_signature(answers, keys)] = counted
    return counted


def _count(answers: Answers, q: Question, log: set[str] | None) -> tuple[int, int] | None:
    """(N, M), computed; every real answer read is noted in log."""
    place = _POSITION.get(q.key)
    seen = _View(answers, {}, log, [])
    if place is None or MAIN[place] != q or not q.asked_when(seen):
        return None
    open_keys = frozenset(p.key for p in MAIN if p.key not in seen)
    done = [p for p in MAIN if p.key in seen and p.asked_when(seen)]
    before = [p for p in done if _POSITION[p.key] < place]
    ahead = [
        p
        for p in MAIN
        if p.key not in seen
        and (p.key == q.key or _may_apply(p, answers, {}, open_keys, DEPTH, log))
    ]
    return len(before) + 1, len(done) + len(ahead)
