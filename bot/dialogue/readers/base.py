"""What every reader shares: the Parsed outcome, never raising, cleaning the text, exact figures."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, ParamSpec, TypeVar

from markupsafe import Markup

from bot.wording import say

T = TypeVar("T")
P = ParamSpec("P")

_LOG = logging.getLogger(__name__)

MAX_CHARS = 200
_MAX_RAW_CHARS = 5000
_MAX_DIGITS = 18


def msg(key: str, /, **values: Any) -> Markup:
    """A dialogue message (templates/messages.toml) as safe HTML, fit to go into another."""
    return Markup(say(key, **values))


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """The outcome of reading one answer: a value, a question to confirm, or a re-ask."""

    value: T | None = None
    confirm: str | None = None
    error: str | None = None
    unknown: bool = False

    @property
    def ok(self) -> bool:
        """True when the value was understood with no doubt."""
        return self.value is not None and self.confirm is None and self.error is None


def never_raise(example_key: str) -> Callable[[Callable[P, Parsed[T]]], Callable[P, Parsed[T]]]:
    """Turn any unexpected exception in a parser into a polite re-ask (and a log line)."""

    def wrap(func: Callable[P, Parsed[T]]) -> Callable[P, Parsed[T]]:
        """Wrap one parser."""

        @functools.wraps(func)
        def inner(*args: P.args, **kwargs: P.kwargs) -> Parsed[T]:
            """Call the parser, catching every exception."""
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # the answer may hold a salary: log the type, not the text
                _LOG.error("parser %s failed: %s", func.__name__, type(exc).__name__)
                return Parsed(error=msg("dialogue.read.failed", example=msg(example_key)))

        return inner

    return wrap


_FRACTIONS = {"½": " 1/2 ", "¼": " 1/4 ", "¾": " 3/4 "}
_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2044": "/",
        "\u2215": "/",
    }
)


def clean(text: str) -> str:
    """Normalise unicode, drop invisible characters, casefold and collapse whitespace."""
    pre: list[str] = []
    for ch in text:
        if ch in _FRACTIONS:
            pre.append(_FRACTIONS[ch])
        elif unicodedata.category(ch) in ("No", "Nl"):
            pre.append(" # ")  # superscripts, circled or roman numerals: refuse, don't misread
        else:
            pre.append(ch)
    s = unicodedata.normalize("NFKC", "".join(pre)).translate(_PUNCT)
    out: list[str] = []
    for ch in s:
        cat = unicodedata.category(ch)
        if ch.isspace():
            out.append(" ")
        elif cat.startswith("C"):
            continue
        elif "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff":
            continue  # emoji variation selectors and skin tones
        elif cat == "Nd":
            out.append(str(unicodedata.decimal(ch, 0)))
        else:
            out.append(ch)
    return " ".join("".join(out).casefold().split())


def prepare(typed: object, example: str) -> tuple[str, str | None]:
    """Clean the input; return it, or an error message when it is empty or too long."""
    if not isinstance(typed, str):
        return "", msg("dialogue.read.empty", example=example)
    if len(typed) > _MAX_RAW_CHARS:
        return "", msg("dialogue.read.too_long", example=example)
    s = clean(typed)
    if len(s) > MAX_CHARS:
        return "", msg("dialogue.read.too_long", example=example)
    if not s:
        return "", msg("dialogue.read.empty", example=example)
    return s, None


_UNKNOWN_RE = re.compile(
    r"\?+|idk|dk|dunno|skip|pass|unsure|unknown|no idea|no clue|not certain"
    r"|(?:i )?(?:dont|do not|don t) know\b.*|(?:im |i am )?not sure\b.*"
    r"|(?:i )?(?:dont|do not|cant|can not|cannot) remember\b.*|(?:i )?forgot|i forget"
)


def is_unknown(s: str) -> bool:
    """True for "I don't know", "not sure", "skip", "?" and friends."""
    key = s.replace("'", "").strip(" .!,")
    return _UNKNOWN_RE.fullmatch(key) is not None


def strip_end(s: str) -> str:
    """Drop trailing punctuation such as "85k." or "yes!"."""
    return s.rstrip(" .!?,;:").strip()


def squash(s: str) -> str:
    """Collapse whitespace left behind by removals."""
    return " ".join(s.split())


def dec(num: str) -> Decimal | None:
    """A Decimal from plain digits, or None when invalid or absurdly long."""
    if sum(c.isdigit() for c in num) > _MAX_DIGITS:
        return None
    try:
        return Decimal(num)
    except (InvalidOperation, ValueError):
        return None


def tidy(d: Decimal) -> Decimal:
    """Drop a meaningless fraction: 85000.00 -> 85000, 6.50 -> 6.5."""
    try:
        if d == d.to_integral_value():
            return d.quantize(Decimal(1))
        return d.normalize()
    except InvalidOperation:
        return d


def fmt_num(d: Decimal) -> str:
    """A decimal as a person writes it: 6, 6.5, 1.5."""
    return format(tidy(d), "f")


def fmt_money(d: Decimal) -> str:
    """Dollars as a person writes them: $85,000 or $85,000.50."""
    return f"${d:,.0f}" if d == d.to_integral_value() else f"${d:,.2f}"


RANGE_RE = re.compile(
    r"\d\s*(?:k|m|%|percent)?\s*(?:-|to|or)\s*\$?\s*\d|\bbetween\b.*\d.*\band\b.*\d"
)
NEGATIVE_RE = re.compile(r"(?:^|[\s$(])-\s*\$?\s*\.?\d|\bminus\b|\bnegative\b|^\(.*\d.*\)$")
APPROX_RE = re.compile(
    r"-ish\b|\bish\b|~|\b(?:about|around|approximately|approx|roughly|circa|maybe|probably"
    r"|something like|give or take|or so|close to|round about)\b\.?"
)
BOUND_RE = re.compile(
    r"\b(?:over|more than|less than|under|at least|at most|almost|nearly|up to|above|below"
    r"|upwards of|north of|south of|or more|or less|plus)\b|[<>≤≥]|\d\s*[km%]?\s*\+"
)
ZERO_WORDS = frozenset(
    {"none", "nothing", "zero", "no", "0", "n/a", "na", "nil", "nada", "zilch", "not any"}
)
# "no loan", "nope", "none at all", "paid it off": nothing, said in a sentence.
ZERO_PHRASE = re.compile(
    r"(?:no|nope|none|nothing|zero|not any)(?:\s+(?:loans?|debt|balance|money|roth(?:\s+money)?"
    r"|employer money|state tax|income tax|match|at all|whatsoever|left))?"
    r"|(?:it(?:'s|\s+is|\s+was)\s+|i\s+)?paid(?:\s+it)?\s+off"
)


def means_zero(s: str) -> bool:
    """True for "none", "no loan", "nope", "paid off" and friends."""
    key = s.strip(" .!,")
    return key in ZERO_WORDS or ZERO_PHRASE.fullmatch(key) is not None


def exact_figure(
    s: str,
    *,
    range_msg: str,
    negative_msg: str,
    bound_msg: str,
    lead: re.Pattern[str] | None = None,
) -> tuple[str, bool, str | None]:
    """Refuse ranges, negatives and limits; strip "about"; say whether it was approximate."""
    if RANGE_RE.search(s):
        return s, False, range_msg
    if NEGATIVE_RE.search(s):
        return s, False, negative_msg
    if lead is not None:
        s = lead.sub("", s)
    approx = APPROX_RE.search(s) is not None
    s = squash(APPROX_RE.sub(" ", s))
    if BOUND_RE.search(s):
        return s, approx, bound_msg
    return s, approx, None
