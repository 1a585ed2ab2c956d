"""Percents: "6", "6.5%", "six percent", "0.06"."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dialogue.readers.base import (
    Parsed,
    dec,
    exact_figure,
    fmt_num,
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

_PCT_EXAMPLE = "dialogue.read.percent.example"
_PCT_WORD_RE = re.compile(r"\s*(?:%|\bpercent\b|\bper cent\b|\bpct\b)")
_PCT_FILLER_RE = re.compile(
    r"^(?:(?:i (?:contribute|put in|save|defer|do)|it'?s|it is|currently|my rate is)\s+)+"
    r"|\bof (?:my |your |the )?(?:pay|salary|paycheck|income|gross pay|gross|compensation"
    r"|comp|wages)\b|\bpre-?tax\b"
)
_PCT_RE = re.compile(r"\d+(?:\.\d+)?|\.\d+")


@never_raise(_PCT_EXAMPLE)
def parse_percent(
    text: str, *, maximum: Decimal = Decimal(100), as_typed: bool = False
) -> Parsed[Decimal]:
    """Read a percent such as "6", "6.5%", "six percent" or "0.06" (as_typed: 0.06 is 0.06%)."""
    s, err = prepare(text, msg(_PCT_EXAMPLE))
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    s = replace_number_words(strip_end(s))
    if means_zero(s):
        return Parsed(value=Decimal(0))
    ask = msg("dialogue.read.percent.ask")
    s, approx, vague = exact_figure(
        s,
        range_msg=msg("dialogue.read.range") + " " + ask,
        negative_msg=msg("dialogue.read.percent.negative") + " " + ask,
        bound_msg=msg("dialogue.read.bound") + " " + ask,
    )
    if vague:
        return Parsed(error=vague)
    s = squash(_PCT_FILLER_RE.sub(" ", s))
    has_pct = _PCT_WORD_RE.search(s) is not None
    s = squash(_PCT_WORD_RE.sub(" ", s))
    if not _PCT_RE.fullmatch(s):
        return Parsed(error=msg("dialogue.read.percent.unreadable") + " " + ask)
    value = dec(s)
    if value is None:
        return Parsed(error=msg("dialogue.read.too_many_digits") + " " + ask)
    question: str | None = None
    if not has_pct and 0 < value < 1 and not as_typed:
        value *= 100
        question = msg("dialogue.read.percent.fraction", value=fmt_num(value))
    elif approx:
        question = msg("dialogue.read.percent.exactly", value=fmt_num(value))
    if value > maximum:
        return Parsed(
            error=msg(
                "dialogue.read.percent.above_maximum",
                value=fmt_num(value),
                maximum=fmt_num(maximum),
            )
        )
    return Parsed(value=tidy(value), confirm=question)
