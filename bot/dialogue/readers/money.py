"""Dollar amounts: "$85k", "85,000/yr", "1.2 million"; salaries per period made yearly."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dialogue.readers.base import (
    Parsed,
    dec,
    exact_figure,
    fmt_money,
    is_unknown,
    means_zero,
    msg,
    never_raise,
    prepare,
    squash,
    strip_end,
    tidy,
)
from bot.dialogue.readers.number_words import replace_number_words

_M = "dialogue.read.money."
_EXAMPLE = "dialogue.read.money.example"

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
_MONEY_LEAD_RE = re.compile(
    r"^(?:(?:it'?s|it is|that'?s|that is|i (?:make|earn|get|have|had|got|made|earned|owe)"
    r"|i'?ve got|my (?:[a-z0-9()']+ ){0,3}(?:is|was)|yes,?|yeah,?|yep,?|owe|still owe)\s+)+"
)
_MONEY_FILLER_RE = re.compile(
    r"\b(?:usd|us dollars?|dollars?|bucks|dlrs|base|gross|salary|pay|income|pre-?tax"
    r"|before taxes?|in total|total|currently|right now|roth|left|outstanding|owed)\b|us\$|\$"
)


def _money_example(kind: str) -> str:
    """An example answer for this kind of amount."""
    if kind == "monthly":
        return msg("dialogue.read.money.example_monthly")
    return msg("dialogue.read.money.example_salary" if kind == "salary" else _EXAMPLE)


def _money_done(
    value: Decimal,
    question: str | None,
    minimum: Decimal,
    maximum: Decimal,
    example: str,
) -> Parsed[Decimal]:
    """Apply the limits and build the result."""
    if value > maximum:
        return Parsed(error=msg(f"{_M}above_maximum", maximum=fmt_money(maximum), example=example))
    if value < minimum:
        return Parsed(error=msg(f"{_M}below_minimum", minimum=fmt_money(minimum), example=example))
    cents = tidy(value) if value == value.to_integral_value() else value.quantize(Decimal("0.01"))
    return Parsed(value=cents, confirm=question)


@never_raise(_EXAMPLE)
def parse_money(
    text: str,
    *,
    kind: str = "amount",
    minimum: Decimal = Decimal(0),
    maximum: Decimal = Decimal("100000000"),
) -> Parsed[Decimal]:
    """Read a dollar amount such as "$85k", "85,000/yr" or "1.2 million"."""
    example = _money_example(kind)
    s, err = prepare(text, example)
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    s = replace_number_words(strip_end(s))
    if means_zero(s):
        return _money_done(Decimal(0), None, minimum, maximum, example)
    one_number = msg(f"{_M}one_number", example=example)
    s, approx, vague = exact_figure(
        s,
        range_msg=msg("dialogue.read.range") + " " + one_number,
        negative_msg=msg(f"{_M}negative", example=example),
        bound_msg=msg("dialogue.read.bound") + " " + one_number,
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
        return Parsed(error=msg(f"{_M}mixed_periods") + " " + one_number)
    period = periods[0] if periods else None
    s = squash(_MONEY_FILLER_RE.sub(" ", s))
    m = _MONEY_RE.fullmatch(s)
    if m is None:
        return Parsed(error=msg(f"{_M}unreadable") + " " + one_number)
    num, suf = m.group("num"), m.group("suf")
    european = _EUROPEAN_RE.fullmatch(num) is not None
    if european and suf is not None:
        if num.count(".") > 1 or "," in num:
            return Parsed(error=msg(f"{_M}unreadable") + " " + one_number)
        european = False
    if european:
        whole, _, cents = num.partition(",")
        num = whole.replace(".", "") + (f".{cents}" if cents else "")
    amount = dec(num.replace(",", "").replace(" ", ""))
    if amount is None:
        return Parsed(error=msg("dialogue.read.too_many_digits") + " " + one_number)
    if suf is not None:
        amount *= _SUFFIX[suf]
    if amount != amount.quantize(Decimal("0.01")):
        return Parsed(error=msg(f"{_M}cents_only") + " " + one_number)
    question: str | None = None
    if kind == "monthly":
        if period == "year":
            amount = (amount / 12).quantize(Decimal("0.01"))
            question = msg(f"{_M}per_month", amount=fmt_money(amount))
        elif period not in (None, "month"):
            word = msg(f"{_M}period.{period}")
            return Parsed(error=msg(f"{_M}not_monthly", period=word, example=example))
        return _money_done(amount, question, minimum, maximum, example)
    if period in ("month", "week", "hour", "paycheck"):
        if kind != "salary":
            word = msg(f"{_M}period.{period}")
            return Parsed(error=msg(f"{_M}not_total", period=word, example=example))
        if period == "paycheck":
            return Parsed(error=msg(f"{_M}yearly_salary", example=example))
        per_year = {"month": 12, "week": 52, "hour": 2080}[period]
        amount *= per_year
        per = "per_hour" if period == "hour" else "per_period"
        question = msg(f"{_M}{per}", amount=fmt_money(amount))
    elif european:
        question = msg(f"{_M}european", amount=fmt_money(amount))
    elif kind == "salary" and suf is None and 0 < amount < 1000 and re.search(r"\.\d\d$", num):
        return Parsed(error=msg(f"{_M}hourly_rate", example=example))
    elif kind == "salary" and suf is None and 0 < amount < 1000:
        amount *= 1000
        question = msg(f"{_M}thousands", amount=fmt_money(amount))
    elif kind == "salary" and amount >= 1_000_000:
        question = msg(f"{_M}very_high", amount=fmt_money(amount))
    elif approx:
        question = msg(f"{_M}exactly", amount=fmt_money(amount))
    return _money_done(amount, question, minimum, maximum, example)
