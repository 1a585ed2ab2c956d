"""Read what a person types in a chat into exact values; never raise, never guess silently."""

from __future__ import annotations

import calendar
import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Generic, Literal, ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

_LOG = logging.getLogger(__name__)

MAX_CHARS = 200
_MAX_RAW_CHARS = 5000
_MAX_DIGITS = 18


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


def _never_raise(example: str) -> Callable[[Callable[P, Parsed[T]]], Callable[P, Parsed[T]]]:
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
                return Parsed(error=f"Sorry, I couldn't read that. Please try again, {example}.")

        return inner

    return wrap


# --------------------------------------------------------------------------- normalisation

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


def _clean(text: str) -> str:
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


def _prepare(text: object, example: str) -> tuple[str, str | None]:
    """Clean the input; return it, or an error message when it is empty or too long."""
    if not isinstance(text, str):
        return "", f"Please type an answer, {example}."
    if len(text) > _MAX_RAW_CHARS:
        return "", f"That answer is too long. Please keep it short, {example}."
    s = _clean(text)
    if len(s) > MAX_CHARS:
        return "", f"That answer is too long. Please keep it short, {example}."
    if not s:
        return "", f"Please type an answer, {example}."
    return s, None


_UNKNOWN_RE = re.compile(
    r"\?+|idk|dk|dunno|skip|pass|unsure|unknown|no idea|no clue|not certain"
    r"|(?:i )?(?:dont|do not|don t) know\b.*|(?:im |i am )?not sure\b.*"
    r"|(?:i )?(?:dont|do not|cant|can not|cannot) remember\b.*|(?:i )?forgot|i forget"
)


def _is_unknown(s: str) -> bool:
    """True for "I don't know", "not sure", "skip", "?" and friends."""
    key = s.replace("'", "").strip(" .!,")
    return _UNKNOWN_RE.fullmatch(key) is not None


def _strip_end(s: str) -> str:
    """Drop trailing punctuation such as "85k." or "yes!"."""
    return s.rstrip(" .!?,;:").strip()


def _squash(s: str) -> str:
    """Collapse whitespace left behind by removals."""
    return " ".join(s.split())


# --------------------------------------------------------------------------- numbers

_SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"thousand": 1000, "million": 1_000_000}
_NW = "|".join(sorted([*_SMALL, *_TENS, "hundred", *_SCALES], key=len, reverse=True))
_NUM_WORDS_RE = re.compile(rf"\b(?:{_NW})(?:[\s-]+(?:and[\s-]+)?(?:{_NW}))*\b")
_A_SCALE_RE = re.compile(r"\ban? (hundred|thousand|million)\b")
_AND_HALF_RE = re.compile(r"(\d+(?:\.\d+)?)(\s*(?:years?|yrs?|%|percent)?)\s+and\s+(?:a\s+)?half\b")


def _words_to_int(phrase: str) -> int | None:
    """Read "eighty five thousand" as 85000; None when it is not a well-formed number."""
    tokens = [t for t in re.split(r"[\s-]+", phrase) if t and t != "and"]
    total, group, last, last_scale = 0, 0, "", 10**12
    for tok in tokens:
        if tok in _SMALL:
            v = _SMALL[tok]
            if last == "small" or (last == "tens" and not 0 < v < 10):
                return None
            group += v
            last = "small"
        elif tok in _TENS:
            if last in ("small", "tens"):
                return None
            group += _TENS[tok]
            last = "tens"
        elif tok == "hundred":
            if last not in ("small", "tens") or not 0 < group < 100:
                return None
            group *= 100
            last = "hundred"
        elif tok in _SCALES:
            scale = _SCALES[tok]
            if group == 0 or scale >= last_scale:
                return None
            total += group * scale
            group, last, last_scale = 0, "scale", scale
        else:
            return None
    return total + group


def _replace_number_words(s: str) -> str:
    """Replace spelled-out numbers with digits, and "3 and a half" with 3.5."""
    s = _A_SCALE_RE.sub(r"one \1", s)

    def words(m: re.Match[str]) -> str:
        """Replace one run of number words."""
        n = _words_to_int(m.group(0))
        return m.group(0) if n is None else str(n)

    s = _NUM_WORDS_RE.sub(words, s)

    def half(m: re.Match[str]) -> str:
        """Add one half."""
        return f"{_fmt_num(Decimal(m.group(1)) + Decimal('0.5'))}{m.group(2)}"

    return _AND_HALF_RE.sub(half, s)


def _dec(num: str) -> Decimal | None:
    """A Decimal from plain digits, or None when invalid or absurdly long."""
    if sum(c.isdigit() for c in num) > _MAX_DIGITS:
        return None
    try:
        return Decimal(num)
    except (InvalidOperation, ValueError):
        return None


def _tidy(d: Decimal) -> Decimal:
    """Drop a meaningless fraction: 85000.00 -> 85000, 6.50 -> 6.5."""
    try:
        if d == d.to_integral_value():
            return d.quantize(Decimal(1))
        return d.normalize()
    except InvalidOperation:
        return d


def _fmt_num(d: Decimal) -> str:
    """A decimal as a person writes it: 6, 6.5, 1.5."""
    return format(_tidy(d), "f")


def _fmt_money(d: Decimal) -> str:
    """Dollars as a person writes them: $85,000 or $85,000.50."""
    return f"${d:,.0f}" if d == d.to_integral_value() else f"${d:,.2f}"


_RANGE_RE = re.compile(
    r"\d\s*(?:k|m|%|percent)?\s*(?:-|to|or)\s*\$?\s*\d|\bbetween\b.*\d.*\band\b.*\d"
)
_NEGATIVE_RE = re.compile(r"(?:^|[\s$(])-\s*\$?\s*\.?\d|\bminus\b|\bnegative\b|^\(.*\d.*\)$")
_APPROX_RE = re.compile(
    r"-ish\b|\bish\b|~|\b(?:about|around|approximately|approx|roughly|circa|maybe|probably"
    r"|something like|give or take|or so|close to|round about)\b\.?"
)
_BOUND_RE = re.compile(
    r"\b(?:over|more than|less than|under|at least|at most|almost|nearly|up to|above|below"
    r"|upwards of|north of|south of|or more|or less|plus)\b|[<>≤≥]|\d\s*[km%]?\s*\+"
)
_ZERO_WORDS = frozenset(
    {"none", "nothing", "zero", "no", "0", "n/a", "na", "nil", "nada", "zilch", "not any"}
)


# --------------------------------------------------------------------------- money

_MONEY_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d{1,3}(?: \d{3})+(?:\.\d+)?"
    r"|[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?"
    r"|\d+(?:\.\d*)?"
    r"|\.\d+"
)
_MONEY_RE = re.compile(
    rf"(?P<num>{_MONEY_NUM})\s*"
    r"(?P<suf>k|thousand|grand|hundred|mm|m|mil|mill|million|b|bn|billion)?"
)
_EUROPEAN_RE = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?")
_SUFFIX = {
    "k": 1000,
    "thousand": 1000,
    "grand": 1000,
    "hundred": 100,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mil": 1_000_000,
    "mill": 1_000_000,
    "million": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
}
_CONNECT = r"\s*/\s*|\s+(?:per|a|an|each|every|in a)\s+"
_PERIODS: list[tuple[str, re.Pattern[str]]] = [
    (
        "paycheck",
        re.compile(
            r"\b(?:bi-?weekly|semi-?monthly|fortnightly)\b|\bevery (?:2|other) weeks?\b"
            r"|\btwice (?:a|per) month\b"
            rf"|(?:{_CONNECT})(?:pay ?checks?|pay ?periods?|pay ?days?|fortnight)\b"
        ),
    ),
    ("month", re.compile(rf"(?:{_CONNECT})(?:months?|mos?|mths?|mnths?)\b|\s*/\s*m\b|\bmonthly\b")),
    ("week", re.compile(rf"(?:{_CONNECT})(?:weeks?|wks?)\b|\s*/\s*w\b|\bweekly\b")),
    ("hour", re.compile(rf"(?:{_CONNECT})(?:hours?|hrs?)\b|\s*/\s*h\b|\bhourly\b")),
    (
        "year",
        re.compile(
            rf"(?:{_CONNECT})(?:years?|yrs?|annum)\b|\s*/\s*y\b"
            r"|\b(?:annually|yearly|annual)\b|\bp\.?a\b\.?"
        ),
    ),
]
_PERIOD_WORD = {"month": "monthly", "week": "weekly", "hour": "hourly", "paycheck": "per-paycheck"}
_MONEY_LEAD_RE = re.compile(
    r"^(?:(?:it'?s|it is|that'?s|that is|i (?:make|earn|get|have|had|got|made|earned)"
    r"|i'?ve got|my (?:[a-z0-9()']+ ){0,3}(?:is|was))\s+)+"
)
_MONEY_FILLER_RE = re.compile(
    r"\b(?:usd|us dollars?|dollars?|bucks|dlrs|base|gross|salary|pay|income|pre-?tax"
    r"|before taxes?|in total|total|currently|right now)\b|us\$|\$"
)


def _money_example(kind: str) -> str:
    """An example answer for this kind of amount."""
    return "e.g. 85000 or $85k" if kind == "salary" else "e.g. 12500 or $12.5k"


def _money_done(
    value: Decimal,
    question: str | None,
    minimum: Decimal,
    maximum: Decimal,
    example: str,
) -> Parsed[Decimal]:
    """Apply the limits and build the result."""
    if value > maximum:
        return Parsed(
            error=f"That is more than the limit of {_fmt_money(maximum)}. "
            f"Please enter an amount up to {_fmt_money(maximum)}, {example}."
        )
    if value < minimum:
        return Parsed(
            error=f"That is less than the minimum of {_fmt_money(minimum)}. "
            f"Please enter an amount of at least {_fmt_money(minimum)}, {example}."
        )
    cents = _tidy(value) if value == value.to_integral_value() else value.quantize(Decimal("0.01"))
    return Parsed(value=cents, confirm=question)


def _exact_figure(
    s: str,
    *,
    range_msg: str,
    negative_msg: str,
    bound_msg: str,
    lead: re.Pattern[str] | None = None,
) -> tuple[str, bool, str | None]:
    """Refuse ranges, negatives and limits; strip "about"; say whether it was approximate."""
    if _RANGE_RE.search(s):
        return s, False, range_msg
    if _NEGATIVE_RE.search(s):
        return s, False, negative_msg
    if lead is not None:
        s = lead.sub("", s)
    approx = _APPROX_RE.search(s) is not None
    s = _squash(_APPROX_RE.sub(" ", s))
    if _BOUND_RE.search(s):
        return s, approx, bound_msg
    return s, approx, None


@_never_raise("e.g. 12500 or $12.5k")
def parse_money(
    text: str,
    *,
    kind: str = "amount",
    minimum: Decimal = Decimal(0),
    maximum: Decimal = Decimal("100000000"),
) -> Parsed[Decimal]:
    """Read a dollar amount such as "$85k", "85,000/yr" or "1.2 million"."""
    example = _money_example(kind)
    s, err = _prepare(text, example)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    s = _replace_number_words(_strip_end(s))
    if s in _ZERO_WORDS:
        return _money_done(Decimal(0), None, minimum, maximum, example)
    one_number = f"Please give one number, {example}."
    s, approx, vague = _exact_figure(
        s,
        range_msg=f"That looks like a range. {one_number}",
        negative_msg=f"The amount can't be negative. Please enter 0 or more, {example}.",
        bound_msg=f"I need an exact figure, not a limit. {one_number}",
        lead=_MONEY_LEAD_RE,
    )
    if vague:
        return Parsed(error=vague)
    periods: list[str] = []
    for name, pattern in _PERIODS:
        if pattern.search(s):
            periods.append(name)
            s = pattern.sub(" ", s)
    if len(periods) > 1:
        return Parsed(error=f"That mixes different periods. {one_number}")
    period = periods[0] if periods else None
    s = _squash(_MONEY_FILLER_RE.sub(" ", s))
    m = _MONEY_RE.fullmatch(s)
    if m is None:
        return Parsed(error=f"I couldn't read that amount. {one_number}")
    num, suf = m.group("num"), m.group("suf")
    european = _EUROPEAN_RE.fullmatch(num) is not None
    if european and suf is not None:
        if num.count(".") > 1 or "," in num:
            return Parsed(error=f"I couldn't read that amount. {one_number}")
        european = False
    if european:
        whole, _, cents = num.partition(",")
        num = whole.replace(".", "") + (f".{cents}" if cents else "")
    amount = _dec(num.replace(",", "").replace(" ", ""))
    if amount is None:
        return Parsed(error=f"That number is too long. {one_number}")
    if suf is not None:
        amount *= _SUFFIX[suf]
    if amount != amount.quantize(Decimal("0.01")):
        return Parsed(error=f"Please give dollars and cents only. {one_number}")
    question: str | None = None
    if period in ("month", "week", "hour", "paycheck"):
        if kind != "salary":
            word = _PERIOD_WORD[period]
            return Parsed(error=f"Please give the total amount, not a {word} figure, {example}.")
        if period == "paycheck":
            return Parsed(error=f"Please give your yearly salary, {example}.")
        per_year = {"month": 12, "week": 52, "hour": 2080}[period]
        amount *= per_year
        extra = " at 40 hours a week" if period == "hour" else ""
        question = f"That is {_fmt_money(amount)} a year{extra}. Right?"
    elif european:
        question = f"Did you mean {_fmt_money(amount)}? (yes/no)"
    elif kind == "salary" and suf is None and 0 < amount < 1000 and re.search(r"\.\d\d$", num):
        return Parsed(
            error=f"That looks like an hourly rate. Please give your yearly salary, {example}."
        )
    elif kind == "salary" and suf is None and 0 < amount < 1000:
        amount *= 1000
        question = f"Did you mean {_fmt_money(amount)} a year? (yes/no)"
    elif kind == "salary" and amount >= 1_000_000:
        question = f"Just to check: {_fmt_money(amount)} a year? (yes/no)"
    elif approx:
        question = f"Shall I use exactly {_fmt_money(amount)}? (yes/no)"
    return _money_done(amount, question, minimum, maximum, example)


# --------------------------------------------------------------------------- percent

_PCT_EXAMPLE = "e.g. 6 or 6%"
_PCT_WORD_RE = re.compile(r"\s*(?:%|\bpercent\b|\bper cent\b|\bpct\b)")
_PCT_FILLER_RE = re.compile(
    r"^(?:(?:i (?:contribute|put in|save|defer|do)|it'?s|it is|currently|my rate is)\s+)+"
    r"|\bof (?:my |your |the )?(?:pay|salary|paycheck|income|gross pay|gross|compensation"
    r"|comp|wages)\b|\bpre-?tax\b"
)
_PCT_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")


@_never_raise(_PCT_EXAMPLE)
def parse_percent(text: str, *, maximum: Decimal = Decimal(100)) -> Parsed[Decimal]:
    """Read a percent such as "6", "6.5%", "six percent" or "0.06"."""
    s, err = _prepare(text, _PCT_EXAMPLE)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    s = _replace_number_words(_strip_end(s))
    if s in _ZERO_WORDS:
        return Parsed(value=Decimal(0))
    ask = f"Please enter a percent such as {_PCT_EXAMPLE[5:]}."
    s, approx, vague = _exact_figure(
        s,
        range_msg=f"That looks like a range. {ask}",
        negative_msg=f"The percent can't be negative. {ask}",
        bound_msg=f"I need an exact figure, not a limit. {ask}",
    )
    if vague:
        return Parsed(error=vague)
    s = _squash(_PCT_FILLER_RE.sub(" ", s))
    has_pct = _PCT_WORD_RE.search(s) is not None
    s = _squash(_PCT_WORD_RE.sub(" ", s))
    if not _PCT_RE.fullmatch(s):
        return Parsed(error=f"I couldn't read that percent. {ask}")
    value = _dec(s)
    if value is None:
        return Parsed(error=f"That number is too long. {ask}")
    question: str | None = None
    if not has_pct and 0 < value < 1:
        value *= 100
        question = f"Did you mean {_fmt_num(value)}%?"
    elif approx:
        question = f"Shall I use exactly {_fmt_num(value)}%? (yes/no)"
    if value > maximum:
        return Parsed(
            error=f"{_fmt_num(value)}% is more than {_fmt_num(maximum)}%. "
            f"Please enter a percent such as 6%."
        )
    return Parsed(value=_tidy(value), confirm=question)


# --------------------------------------------------------------------------- years

_YEARS_EXAMPLE = "e.g. 3, 3.5 or 2 years 6 months"
_YEARS_ZERO_RE = re.compile(
    r"(?:less than|under|not even|not yet|nearly|almost) (?:a|1|one) (?:full )?year"
    r"|(?:brand |very )?new|new hire|just (?:started|joined)|none|zero|0|n/a|not yet|no"
)
_YNUM = r"\d+ \d+/\d+|\d+/\d+|\d+(?:\.\d+)?|\.\d+"
_YEARS_RE = re.compile(
    rf"(?P<y>{_YNUM})\s*(?:years?|yrs?|y)?"
    rf"(?:\s*,?\s*(?:and\s+)?(?P<mo>{_YNUM})\s*(?:months?|mos?|mths?|m))?"
)
_MONTHS_ONLY_RE = re.compile(rf"(?P<mo>{_YNUM})\s*(?:months?|mos?|mths?|m)")


def _read_ynum(num: str) -> Decimal | None:
    """Read "3", "3.5", "1/2" or "3 1/2"."""
    whole, _, frac = num.rpartition(" ") if " " in num else ("", "", num)
    if "/" in frac:
        top, _, bottom = frac.partition("/")
        n, d = _dec(top), _dec(bottom)
        if n is None or d is None or d == 0 or (whole and n >= d):
            return None
        value = n / d
    else:
        parsed = _dec(frac)
        if parsed is None:
            return None
        value = parsed
    if whole:
        w = _dec(whole)
        if w is None:
            return None
        value += w
    return value


@_never_raise(_YEARS_EXAMPLE)
def parse_years(text: str, *, maximum: Decimal = Decimal(60)) -> Parsed[Decimal]:
    """Read a length of time in years: "3", "3 1/2 years", "18 months", "2 years 6 months"."""
    s, err = _prepare(text, _YEARS_EXAMPLE)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    s = _strip_end(s)
    if _YEARS_ZERO_RE.fullmatch(s):
        return Parsed(value=Decimal(0))
    s = re.sub(r"\bhalf (?:a )?year\b", "0.5 year", s)
    s = re.sub(r"\ban? (year|month)\b", r"1 \1", s)
    s = _replace_number_words(s)
    ask = f"Please give the number of years, {_YEARS_EXAMPLE}."
    s, approx, vague = _exact_figure(
        s,
        range_msg=f"That looks like a range. {ask}",
        negative_msg=f"The time can't be negative. {ask}",
        bound_msg=f"I need the time as exactly as you know it. {ask}",
    )
    if vague:
        return Parsed(error=vague)
    s = _squash(re.sub(r"^(?:(?:it'?s|it is|for|i'?ve been there|been there)\s+)+", "", s))
    y_text: str | None = None
    m = _MONTHS_ONLY_RE.fullmatch(s)
    if m is None:
        m = _YEARS_RE.fullmatch(s)
        if m is None:
            return Parsed(error=f"I couldn't read that. {ask}")
        y_text = m.group("y")
    years = _read_ynum(y_text) if y_text else Decimal(0)
    mo_text = m.group("mo")
    months = _read_ynum(mo_text) if mo_text else Decimal(0)
    if years is None or months is None:
        return Parsed(error=f"I couldn't read that. {ask}")
    value = years + months / 12
    if value > maximum:
        return Parsed(error=f"{_fmt_num(value)} years is more than {_fmt_num(maximum)}. {ask}")
    question = f"Shall I use exactly {_fmt_num(value)} years? (yes/no)" if approx else None
    return Parsed(value=_tidy(value), confirm=question)


# --------------------------------------------------------------------------- dates

_DATE_EXAMPLE = "e.g. 2027-03-01 or March 1"
_DATE_ERROR = f"I couldn't read that date. Please type it like this, {_DATE_EXAMPLE}."
_NO_SUCH_DATE = f"There is no such date. Please type it like this, {_DATE_EXAMPLE}."
_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = re.compile(
    r"\b(?:mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday"
    r"|sat|saturday|sun|sunday)\b\.?"
)
_ISO_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_US_RE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_US_NO_YEAR_RE = re.compile(r"(\d{1,2})/(\d{1,2})")
_MDY_RE = re.compile(rf"(?P<mon>{_MON})\.?\s*(?P<d>\d{{1,2}})(?:\s+(?P<y>\d{{4}}|'\d{{2}}))?")
_DMY_RE = re.compile(rf"(?P<d>\d{{1,2}})\s*(?P<mon>{_MON})\.?(?:\s+(?P<y>\d{{4}}|'\d{{2}}))?")
_MY_RE = re.compile(rf"(?P<mon>{_MON})\.?\s+(?P<y>\d{{4}})")
_IN_RE = re.compile(r"in (\d{1,4}) (days?|weeks?|months?|years?)")
_AGO_RE = re.compile(r"(\d{1,4}) (days?|weeks?|months?|years?) (ago|from now|from today)")
_MIN_YEAR, _MAX_YEAR = 1900, 2200


def _fmt_date(d: date) -> str:
    """A date as a person writes it: March 1, 2027."""
    return f"{calendar.month_name[d.month]} {d.day}, {d.year}"


def _add_months(d: date, n: int) -> date:
    """Move by whole months, keeping the day where the month allows."""
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _month_end(d: date) -> date:
    """The last day of d's month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _shift(today: date, n: int, unit: str) -> date:
    """Move today by n days, weeks, months or years."""
    if unit.startswith("day"):
        return today + timedelta(days=n)
    if unit.startswith("week"):
        return today + timedelta(weeks=n)
    if unit.startswith("month"):
        return _add_months(today, n)
    return _add_months(today, 12 * n)


def _relative(s: str, today: date) -> Parsed[date] | None:
    """Words like "today", "tomorrow", "end of year", "in 2 weeks"; None when not relative."""
    s = re.sub(r"^(?:on|by|at|it'?s|it is)\s+", "", s)
    s = re.sub(r"\bthe\b", "", s)
    s = re.sub(r"\ban? (day|week|month|year)\b", r"1 \1", _replace_number_words(s))
    s = _squash(s)
    fixed: dict[str, date] = {
        "today": today,
        "now": today,
        "right now": today,
        "tonight": today,
        "this morning": today,
        "tomorrow": today + timedelta(days=1),
        "yesterday": today - timedelta(days=1),
        "day after tomorrow": today + timedelta(days=2),
        "day before yesterday": today - timedelta(days=2),
        "end of month": _month_end(today),
        "end of this month": _month_end(today),
        "month end": _month_end(today),
        "end of next month": _month_end(_add_months(today.replace(day=1), 1)),
        "start of next month": _add_months(today.replace(day=1), 1),
        "beginning of next month": _add_months(today.replace(day=1), 1),
        "first of next month": _add_months(today.replace(day=1), 1),
        "1st of next month": _add_months(today.replace(day=1), 1),
        "end of year": date(today.year, 12, 31),
        "end of this year": date(today.year, 12, 31),
        "year end": date(today.year, 12, 31),
        "year-end": date(today.year, 12, 31),
    }
    if s in fixed:
        return Parsed(value=fixed[s])
    vague: dict[str, tuple[date, str]] = {
        "next week": (today + timedelta(days=7), "A week from today"),
        "next month": (_add_months(today.replace(day=1), 1), "The start of next month"),
        "next year": (date(today.year + 1, 1, 1), "The start of next year"),
    }
    if s in vague:
        d, words = vague[s]
        return Parsed(value=d, confirm=f"{words}, {_fmt_date(d)}? (yes/no)")
    m = _IN_RE.fullmatch(s)
    if m:
        return Parsed(value=_shift(today, int(m.group(1)), m.group(2)))
    m = _AGO_RE.fullmatch(s)
    if m:
        sign = -1 if m.group(3) == "ago" else 1
        return Parsed(value=_shift(today, sign * int(m.group(1)), m.group(2)))
    return None


def _two_digit_year(yy: int, today: date, prefer: str) -> int:
    """Expand "27" to 2027 and "80" to 1980."""
    year = 2000 + yy
    if prefer == "past":
        return year if year <= today.year else year - 100
    return year if year <= today.year + 50 else year - 100


def _nearest(month: int, day: int, today: date, prefer: str) -> date | None:
    """The month/day nearest to today in the preferred direction."""
    candidates: list[date] = []
    for year in range(today.year - 8, today.year + 9):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    future = [c for c in candidates if c >= today]
    past = [c for c in candidates if c <= today]
    if prefer == "future":
        return min(future) if future else None
    if prefer == "past":
        return max(past) if past else None
    return min(candidates, key=lambda c: (abs((c - today).days), c < today))


def _read_date(s: str, today: date, prefer: str) -> tuple[Parsed[date], bool]:
    """Read a cleaned date answer; also say whether the person gave a year."""
    s = _strip_end(s)
    try:
        rel = _relative(s, today)
    except (ValueError, OverflowError):
        return Parsed(error=_DATE_ERROR), True
    if rel is not None:
        if rel.value is not None and not _MIN_YEAR <= rel.value.year <= _MAX_YEAR:
            return Parsed(error=_DATE_ERROR), True
        return rel, True
    s = _WEEKDAY_RE.sub(" ", s)
    s = s.replace(",", " ")
    s = re.sub(r"\b(?:the|of|on|by)\b", " ", s)
    s = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", s)
    s = _squash(s)
    year: int | None
    question: str | None = None
    if m := _ISO_RE.fullmatch(s):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _US_RE.fullmatch(s):
        month, day, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(y) if len(y) == 4 else _two_digit_year(int(y), today, prefer)
        if month > 12 and 0 < day <= 12:
            month, day = day, month
            try:
                question = f"Did you mean {_fmt_date(date(year, month, day))}? (yes/no)"
            except ValueError:
                return Parsed(error=_NO_SUCH_DATE), True
    elif m := _US_NO_YEAR_RE.fullmatch(s):
        month, day, year = int(m.group(1)), int(m.group(2)), None
    elif (m := _MDY_RE.fullmatch(s)) or (m := _DMY_RE.fullmatch(s)):
        month, day, y = _MONTHS[m.group("mon")], int(m.group("d")), m.group("y")
        if y is None:
            year = None
        elif y.startswith("'"):
            year = _two_digit_year(int(y[1:]), today, prefer)
        else:
            year = int(y)
    elif m := _MY_RE.fullmatch(s):
        month_name = calendar.month_name[_MONTHS[m.group("mon")]]
        return (
            Parsed(
                error=f"Which day in {month_name} {m.group('y')}? "
                f"Please type the full date, {_DATE_EXAMPLE}."
            ),
            True,
        )
    else:
        return Parsed(error=_DATE_ERROR), False
    if year is None:
        found = _nearest(month, day, today, prefer)
        if found is None:
            return Parsed(error=_NO_SUCH_DATE), False
        return Parsed(value=found), False
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return Parsed(error=f"That year looks wrong. Please type the date, {_DATE_EXAMPLE}."), True
    try:
        return Parsed(value=date(year, month, day), confirm=question), True
    except ValueError:
        return Parsed(error=_NO_SUCH_DATE), True


@_never_raise(_DATE_EXAMPLE)
def parse_date(
    text: str, *, today: date, prefer: Literal["future", "past", "any"] = "any"
) -> Parsed[date]:
    """Read a date: "2027-03-01", "3/1/2027", "March 1", "tomorrow", "end of year"."""
    s, err = _prepare(text, _DATE_EXAMPLE)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    return _read_date(s, today, prefer)[0]


# --------------------------------------------------------------------------- age

_AGE_EXAMPLE = "e.g. 45 or 1980-05-02"
_AGE_ASK = f"Please type your age or your full birth date, {_AGE_EXAMPLE}."
_AGE_RE = re.compile(
    r"(?:(?:i'?m|i am|im|age|aged|age is|my age is|i'?m age)\s*:?\s*)?(\d{1,3})"
    r"\s*(?:years? old|yrs? old|y/?o|years?|yrs?|yo)?"
)
_BARE_YEAR_RE = re.compile(r"(?:(?:i was )?born (?:in )?|in )?(\d{4})")
_BORN_RE = re.compile(
    r"^(?:i was\s+)?(?:born\s*(?:on|in)?|dob|d\.o\.b|date of birth|birthday|birth date"
    r"|my birthday is|my date of birth is|my dob is|b\.)\s*:?\s*"
)
_MIN_AGE, _MAX_AGE = 16, 110


def _age_on(born: date, today: date) -> int:
    """Whole years of age on today."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _age_range_error(age: int) -> Parsed[tuple[int | None, date | None]]:
    """The error for an age we cannot help with."""
    return Parsed(
        error=f"An age of {age} is outside what I can help with ({_MIN_AGE} to {_MAX_AGE}). "
        f"{_AGE_ASK}"
    )


@_never_raise(_AGE_EXAMPLE)
def parse_birth_or_age(text: str, *, today: date) -> Parsed[tuple[int | None, date | None]]:
    """Read an age ("45") as (45, None) or a birth date ("1980-05-02") as (None, date)."""
    s, err = _prepare(text, _AGE_EXAMPLE)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    s = _replace_number_words(_strip_end(s))
    if m := _AGE_RE.fullmatch(s):
        age = int(m.group(1))
        if not _MIN_AGE <= age <= _MAX_AGE:
            return _age_range_error(age)
        return Parsed(value=(age, None))
    if m := _BARE_YEAR_RE.fullmatch(s):
        year = int(m.group(1))
        age = today.year - year
        if year > today.year or not _MIN_AGE <= age <= _MAX_AGE:
            return Parsed(error=f"That year doesn't look like a birth year. {_AGE_ASK}")
        return Parsed(value=(age, None), confirm=f"So you turn {age} this year? (yes/no)")
    got, has_year = _read_date(_BORN_RE.sub("", s), today, "past")
    if got.error is not None or got.value is None:
        return Parsed(error=f"I couldn't read that. {_AGE_ASK}")
    if not has_year:
        return Parsed(error=f"Which year were you born? {_AGE_ASK}")
    born = got.value
    if born > today:
        return Parsed(error=f"That date is in the future. {_AGE_ASK}")
    age = _age_on(born, today)
    if not _MIN_AGE <= age <= _MAX_AGE:
        return _age_range_error(age)
    return Parsed(value=(None, born), confirm=got.confirm)


# --------------------------------------------------------------------------- employer match

Tiers = list[tuple[Decimal, Decimal]]
_MATCH_EXAMPLE = "e.g. 50% up to 6%, or 100% of the first 3% plus 50% of the next 2%"
_MATCH_ASK = f"Please give the matching formula, {_MATCH_EXAMPLE}."
_MATCH_NONE_RE = re.compile(
    r"none|no|nope|nothing|zero|0|0 ?%|n/?a|nil|no match(?:ing)?|no employer match"
    r"|no company match|not matched|0 ?% match|(?:they|it|my employer) (?:does not|doesn'?t"
    r"|don'?t|do not) match|there'?s no match|there is no match|they don'?t"
)
_MATCH_REWRITE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bdollar[\s-]+for[\s-]+dollar\b|\b1\s*(?::|for)\s*1\b"), "100%"),
    (
        re.compile(
            r"\b(\d+(?:\.\d+)?)\s*(?:cents?|¢|c)\s*(?:on|per|for every|for each|for|of)\s*"
            r"(?:the|every|each|a)?\s*dollar\b"
        ),
        r"\1%",
    ),
    (re.compile(r"\bhalf\b"), "50%"),
    (re.compile(r"\s*(?:\bpercent\b|\bper cent\b|\bpct\b)"), "%"),
    (
        re.compile(
            r"\bof (?:my |your |the |their |employee'?s? )?(?:eligible |base |gross )?"
            r"(?:pay|salary|compensation|comp|income|wages|earnings|paycheck)\b"
        ),
        " ",
    ),
    (
        re.compile(
            r"\b(?:of |on )?what (?:i|you|we|employees?) (?:contribute|put in|defer|save)\b"
        ),
        " ",
    ),
    (
        re.compile(
            r"\b(?:the|they|employer|company|my|your|our|their|it|its|it's|is|offers?|gives?"
            r"|does|will|plan|a|an|matches|match|matching|matched|contributes|contributions?"
            r"|deferrals?|employees?|employee's|i|you)\b"
        ),
        " ",
    ),
]
_MNUM = r"\d+(?:\.\d+)?|\.\d+"
_TIER_RE = re.compile(
    rf"(?P<m>{_MNUM})\s*%?\s*(?:(?P<o>of|on|for)\s+)?"
    r"(?:(?P<kw>(?:(?:up\s*)?to\s+)?(?:first|next)|up\s*to|to)\s+)?(?:(?:of|on)\s+)?"
    rf"(?P<p>{_MNUM})\s*%?"
)
_SEP_RE = re.compile(r"(?:\s*(?:,|;|\+|&|\band\b|\bplus\b|\bthen\b|\balso\b))*\s*")
_SINGLE_RE = re.compile(rf"(?:(?:up\s*to|upto)\s+)?(?P<p>{_MNUM})\s*%?")


def _describe_tiers(tiers: Tiers) -> str:
    """Say the tiers back in words."""
    parts = [f"{_fmt_num(m)}% of the first {_fmt_num(p)}% of pay" for m, p in tiers[:1]]
    parts += [f"then {_fmt_num(m)}% of the next {_fmt_num(p)}%" for m, p in tiers[1:]]
    return ", ".join(parts)


@_never_raise(_MATCH_EXAMPLE)
def parse_match(text: str) -> Parsed[Tiers]:
    """Read an employer match formula into tiers of (match %, on % of pay)."""
    s, err = _prepare(text, _MATCH_EXAMPLE)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    s = _strip_end(s)
    if _MATCH_NONE_RE.fullmatch(s):
        return Parsed(value=[])
    if re.search(r"\bnon-?\s?elective\b", s):
        return Parsed(
            error="A non-elective contribution isn't a match: it is paid whatever you save. "
            f"{_MATCH_ASK}"
        )
    if re.search(r"\benhanced\b.*\bsafe[\s-]*harbou?r\b", s):
        return Parsed(value=[(Decimal(100), Decimal(4))])
    if re.search(r"\bqaca\b", s):
        return Parsed(value=[(Decimal(100), Decimal(1)), (Decimal(50), Decimal(5))])
    if re.search(r"\bsafe[\s-]*harbou?r\b", s):
        return Parsed(value=[(Decimal(100), Decimal(3)), (Decimal(50), Decimal(2))])
    for pattern, repl in _MATCH_REWRITE[:2]:
        s = pattern.sub(repl, s)
    if re.search(r"\$|\bdollars?\b|\busd\b|\d\s*k\b", s):
        return Parsed(
            error="I need the match as a percent formula rather than dollars, "
            f"{_MATCH_EXAMPLE}. It is usually in your plan's summary."
        )
    for pattern, repl in _MATCH_REWRITE[2:]:
        s = pattern.sub(repl, s)
    s = _squash(s)
    if m := _SINGLE_RE.fullmatch(s):
        p = _dec(m.group("p"))
        if p is None:
            return Parsed(error=_MATCH_ASK)
        if p == 0:
            return Parsed(value=[])
        if p <= 10:
            return Parsed(
                value=[(Decimal(100), _tidy(p))],
                confirm=f"Dollar for dollar up to {_fmt_num(p)}% of pay?",
            )
        return Parsed(error=f"{_fmt_num(p)}% of what? {_MATCH_ASK}")
    tiers: Tiers = []
    doubtful = False
    pos, total = 0, Decimal(0)
    while pos < len(s):
        m = _TIER_RE.match(s, pos)
        if m is None:
            return Parsed(error=f"I couldn't read that match. {_MATCH_ASK}")
        kw = m.group("kw") or ""
        if not kw and not m.group("o"):
            return Parsed(error=f"I couldn't read that match. {_MATCH_ASK}")
        match_pct, pay_pct = _dec(m.group("m")), _dec(m.group("p"))
        if match_pct is None or pay_pct is None:
            return Parsed(error=_MATCH_ASK)
        band = pay_pct
        if tiers and "next" not in kw:
            doubtful = True
            if pay_pct > total:
                band = pay_pct - total
        if match_pct > 500:
            return Parsed(error=f"A match above 500% isn't realistic. {_MATCH_ASK}")
        if match_pct <= 0 or band <= 0:
            return Parsed(error=f"Each step needs a match above 0%. {_MATCH_ASK}")
        tiers.append((_tidy(match_pct), _tidy(band)))
        total += band
        if total > 100:
            return Parsed(error=f"The match can't cover more than 100% of pay. {_MATCH_ASK}")
        pos = m.end()
        sep = _SEP_RE.match(s, pos)
        if sep is not None:
            pos = sep.end()
    if not tiers:
        return Parsed(error=f"I couldn't read that match. {_MATCH_ASK}")
    question = f"{_describe_tiers(tiers)}. Right? (yes/no)" if doubtful else None
    return Parsed(value=tiers, confirm=question)


# --------------------------------------------------------------------------- yes / no

_YES_EXAMPLE = "yes or no"
_YES = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yea",
        "ya",
        "yah",
        "yep",
        "yup",
        "yess",
        "sure",
        "ok",
        "okay",
        "k",
        "kk",
        "correct",
        "right",
        "true",
        "1",
        "👍",
        "👌",
        "✅",
        "✔",
        "☑",
        "affirmative",
        "absolutely",
        "definitely",
        "certainly",
        "indeed",
        "exactly",
        "yes please",
        "of course",
        "that's right",
        "thats right",
        "that is right",
        "that's correct",
        "thats correct",
        "that is correct",
        "sounds good",
        "go ahead",
        "please do",
        "confirm",
        "confirmed",
        "si",
        "sí",
        "aye",
    }
)
_NO = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "false",
        "0",
        "👎",
        "❌",
        "✖",
        "✗",
        "negative",
        "wrong",
        "incorrect",
        "nay",
        "never",
        "not really",
        "no thanks",
        "no thank you",
        "not at all",
        "that's wrong",
        "thats wrong",
        "not right",
        "not correct",
        "cancel",
    }
)
_NO_TOKENS = frozenset({*(w for w in _NO if " " not in w), "not", "isn't", "isnt", "don't"})
_YES_TOKENS = frozenset(w for w in _YES if " " not in w)


@_never_raise(_YES_EXAMPLE)
def parse_yes_no(text: str) -> Parsed[bool]:
    """Read yes or no, including "yep", "nope", 👍 and 👎."""
    s, err = _prepare(text, _YES_EXAMPLE)
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    key = s.strip(" .!,")
    if key in _YES:
        return Parsed(value=True)
    if key in _NO:
        return Parsed(value=False)
    tokens = re.findall(r"[\w']+|[^\w\s]", key)
    tokens = [t for t in tokens if t not in (",", ".", "!")]
    if tokens and tokens[0] in _YES_TOKENS and not _NO_TOKENS.intersection(tokens):
        return Parsed(value=True)
    if tokens and tokens[0] in _NO_TOKENS and not _YES_TOKENS.intersection(tokens[1:]):
        return Parsed(value=False)
    return Parsed(error="Please answer yes or no.")


# --------------------------------------------------------------------------- choices

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "third": 3,
    "3rd": 3,
    "three": 3,
    "fourth": 4,
    "4th": 4,
    "four": 4,
    "fifth": 5,
    "5th": 5,
    "five": 5,
    "sixth": 6,
    "6th": 6,
    "six": 6,
    "seventh": 7,
    "7th": 7,
    "seven": 7,
    "eighth": 8,
    "8th": 8,
    "eight": 8,
    "ninth": 9,
    "9th": 9,
    "nine": 9,
}
_ORDINAL_RE = re.compile(
    rf"(?:the\s+)?(?P<w>last|{'|'.join(_ORDINALS)})(?:\s+(?:one|option|choice))?"
)
_NUMBER_RE = re.compile(r"(?:option|number|choice|no\.?|#)?\s*#?\s*(\d{1,3})\s*[.)]?")


@_never_raise("e.g. 1")
def parse_choice(text: str, options: Sequence[tuple[str, str]]) -> Parsed[str]:
    """Pick one of (key, label) options by number, label, key or an unambiguous part of a label."""
    opts = list(options)
    if not opts:
        return Parsed(error="There is nothing to choose from.")
    listing = "; ".join(f"{i}. {label}" for i, (_, label) in enumerate(opts, 1))
    listing += "" if listing.endswith((".", "?", "!")) else "."
    ask = f"Please reply with the number of one of these: {listing}"
    s, err = _prepare(text, f"e.g. 1 ({opts[0][1]})")
    if err is not None:
        return Parsed(error=err)
    key = _strip_end(s).strip(" '\"")
    labels = [_clean(label) for _, label in opts]
    keys = [_clean(k) for k, _ in opts]

    def pick(found: list[int]) -> Parsed[str] | None:
        """One hit wins; several are ambiguous; none moves on."""
        if len(set(found)) == 1:
            return Parsed(value=opts[found[0]][0])
        if len(found) > 1:
            which = "; ".join(f"{i + 1}. {opts[i][1]}" for i in dict.fromkeys(found))
            which += "" if which.endswith((".", "?", "!")) else "."
            return Parsed(error=f"That could be more than one: {which} {ask}")
        return None

    exact = pick([i for i, label in enumerate(labels) if label == key])
    if exact is not None:
        return exact
    by_key = pick([i for i, k in enumerate(keys) if key in (k, k.replace("_", " "))])
    if by_key is not None:
        return by_key
    number = _NUMBER_RE.fullmatch(key)
    if number and 1 <= int(number.group(1)) <= len(opts):
        return Parsed(value=opts[int(number.group(1)) - 1][0])
    if _is_unknown(s):
        return Parsed(unknown=True)
    stages = [[i for i, label in enumerate(labels) if key and label.startswith(key)]]
    if len(key) >= 3:
        stages.append([i for i, label in enumerate(labels) if key in label])
        stages.append([i for i, label in enumerate(labels) if len(label) >= 3 and label in key])
    for found in stages:
        hit = pick(found)
        if hit is not None:
            return hit
    if m := _ORDINAL_RE.fullmatch(key):
        n = len(opts) if m.group("w") == "last" else _ORDINALS[m.group("w")]
        if 1 <= n <= len(opts):
            return Parsed(value=opts[n - 1][0])
    if number:
        return Parsed(error=f"Please pick a number from 1 to {len(opts)}: {listing}")
    return Parsed(error=f"I didn't catch which one. {ask}")


# --------------------------------------------------------------------------- filing status

_FILING_ASK = "Please reply single or married (filing jointly)."
_SINGLE = frozenset(
    {
        "single",
        "s",
        "unmarried",
        "not married",
        "head of household",
        "head of house",
        "hoh",
        "divorced",
        "single filer",
        "filing single",
    }
)
_JOINT = frozenset(
    {
        "married",
        "m",
        "joint",
        "jointly",
        "mfj",
        "married filing jointly",
        "married filing joint",
        "married jointly",
        "married joint",
        "filing jointly",
        "joint return",
        "married and filing jointly",
        "qualifying widow",
        "qualifying widower",
        "qualifying widow(er)",
        "qualifying surviving spouse",
    }
)


@_never_raise("e.g. single or married")
def parse_filing_status(text: str) -> Parsed[str]:
    """Read a tax filing status: "single" or "married_joint"."""
    s, err = _prepare(text, "e.g. single or married")
    if err is not None:
        return Parsed(error=err)
    if _is_unknown(s):
        return Parsed(unknown=True)
    key = _strip_end(s)
    key = re.sub(r"^(?:(?:i'?m|i am|im|we'?re|we are|we file|i file|status:?)\s+)+", "", key)
    key = _squash(re.sub(r"\b(?:filing )?status\b", " ", key))
    if re.search(r"\bseparate(?:ly)?\b|\bmfs\b", key):
        return Parsed(
            error="I can only work with single or married filing jointly, "
            "not married filing separately."
        )
    if key in _SINGLE:
        return Parsed(value="single")
    if key in _JOINT:
        return Parsed(value="married_joint")
    return Parsed(error=f"I didn't catch that. {_FILING_ASK}")
