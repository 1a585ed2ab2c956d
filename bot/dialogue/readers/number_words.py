"""Spelled-out numbers: "eighty five thousand" -> 85000, "3 and a half" -> 3.5."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dialogue.readers.base import fmt_num

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


def replace_number_words(s: str) -> str:
    """Replace spelled-out numbers with digits, and "3 and a half" with 3.5."""
    s = _A_SCALE_RE.sub(r"one \1", s)

    def words(m: re.Match[str]) -> str:
        """Replace one run of number words."""
        n = _words_to_int(m.group(0))
        return m.group(0) if n is None else str(n)

    s = _NUM_WORDS_RE.sub(words, s)

    def half(m: re.Match[str]) -> str:
        """Add one half."""
        return f"{fmt_num(Decimal(m.group(1)) + Decimal('0.5'))}{m.group(2)}"

    return _AND_HALF_RE.sub(half, s)
