"""Shares in words: "half", "a third", "three quarters", "all of it" (of an earlier answer)."""

from __future__ import annotations

import re
from fractions import Fraction

from bot.dialogue.readers.base import Parsed, clean, strip_end

# The share each word names, and the key of its wording in [dialogue.read.share.word].
_SHARES: dict[str, tuple[Fraction, str]] = {
    "half": (Fraction(1, 2), "half"),
    "a half": (Fraction(1, 2), "half"),
    "one half": (Fraction(1, 2), "half"),
    "50/50": (Fraction(1, 2), "half"),
    "a third": (Fraction(1, 3), "third"),
    "one third": (Fraction(1, 3), "third"),
    "two thirds": (Fraction(2, 3), "two_thirds"),
    "a quarter": (Fraction(1, 4), "quarter"),
    "one quarter": (Fraction(1, 4), "quarter"),
    "a fourth": (Fraction(1, 4), "quarter"),
    "three quarters": (Fraction(3, 4), "three_quarters"),
    "all": (Fraction(1), "all"),
    "all of it": (Fraction(1), "all"),
    "everything": (Fraction(1), "all"),
    "the whole thing": (Fraction(1), "all"),
}
_LEAD = re.compile(r"^(?:(?:about|around|roughly|maybe|probably|like|just|exactly)\s+)+")
_TAIL = re.compile(
    r"\s+(?:of\s+)?(?:it|that|them|the\s+\w+|my\s+\w+(?:\s+\w+)?|the\s+balance|the\s+total)$"
)


_PERCENT = re.compile(
    r"^(?:(?:about|around|roughly|maybe|probably|like|just|exactly)\s+)*"
    r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)(?:\s+(?:of\s+)?(?:it|that|the\s+\w+|my\s+\w+))?$"
)


def parse_percent_of(text: str) -> Parsed[Fraction]:
    """A percent of an earlier answer ("5%", "about 10 percent of it"); nothing when none."""
    s = strip_end(clean(text)) if isinstance(text, str) else ""
    m = _PERCENT.match(s)
    if m is None:
        return Parsed()
    share = Fraction(m.group(1)) / 100
    return Parsed(value=share) if 0 < share <= 1 else Parsed()


def parse_share(text: str) -> Parsed[tuple[Fraction, str]]:
    """A share named in words, with its wording key; nothing (no error) when none is named."""
    s = strip_end(clean(text)) if isinstance(text, str) else ""
    s = _LEAD.sub("", s)
    for candidate in (s, _TAIL.sub("", s)):
        if candidate in _SHARES:
            return Parsed(value=_SHARES[candidate])
        if candidate.startswith("half ") and candidate[5:].startswith(("of ", "my ", "the ")):
            return Parsed(value=_SHARES["half"])
    return Parsed()
