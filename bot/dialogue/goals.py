"""Goals a person may type at the first question ("borrow from my 401k"), by path."""

from __future__ import annotations

import re

# Checked in order; the first that matches names the path.
GOAL_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("retiring", re.compile(r"\bretir(?:e|ing|ement\s+income)\b|\babout\s+to\s+retire\b")),
    (
        "loan",
        re.compile(r"\bloans?\b|\bborrow(?:ing)?\b|\blend\b"),
    ),
    (
        "withdrawal",
        re.compile(
            r"\bcash(?:ing)?\s*out\b|\bwithdraw(?:al|ing)?\b|\bhardship\b|\btake\s+(?:money\s+)?out\b"
            r"|\bearly\s+distribution\b|\bneed\s+(?:the\s+)?(?:money|cash)\b"
        ),
    ),
    (
        "job_change",
        re.compile(
            r"\b(?:switch(?:ing)?|chang(?:e|ing)|new|leav(?:e|ing)|left|quit(?:ting)?|lost)\s+"
            r"(?:my\s+|a\s+|the\s+)?(?:jobs?|employers?|work|company)\b|\broll\s*over\b"
            r"|\brollover\b|\blaid\s+off\b|\bfired\b|\bnew\s+job\b"
        ),
    ),
    (
        "saving",
        re.compile(
            r"\bsav(?:e|ing)\s+(?:enough|right|more)\b|\bon\s+track\b|\bhow\s+much\s+to\s+save\b"
            r"|\bcontribut(?:e|ion|ing)\b|\broth\s+or\s+traditional\b|\bam\s+i\s+saving\b"
        ),
    ),
)


def goal_of(text: str) -> str | None:
    """The path a typed sentence names, or None."""
    s = " ".join(text.lower().replace("401(k)", "401k").split())
    return next((path for path, pattern in GOAL_WORDS if pattern.search(s)), None)
