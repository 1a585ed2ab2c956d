"""Topics a person may type instead of an answer ("what if I get laid off?"), by name."""

from __future__ import annotations

import re

# Checked in order; the first that matches names the topic.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "job_loss",
        re.compile(
            r"\b(?:laid\s+off|lay\s*off|layoffs?|fired|let\s+go|los[et]\s+(?:my\s+)?job"
            r"|quit(?:ting)?\s+(?:my\s+)?job|leave\s+(?:my\s+)?job|job\s+ends?)\b"
        ),
    ),
    ("hardship", re.compile(r"\bhardship\b")),
    (
        "loan_instead",
        re.compile(r"\bloan\b.*\binstead\b|\binstead\b.*\bloan\b|\bborrow(?:ing)?\b.*\binstead\b"),
    ),
    ("penalty", re.compile(r"\bpenalt(?:y|ies)\b|\badditional\s+tax\b|\b10\s*%")),
    ("taxes", re.compile(r"\bis\s+(?:this|it|that)\s+taxed\b|\bhow\s+much\s+tax\b|\btaxes\b")),
)


def topic_of(text: str) -> str | None:
    """The topic a typed sentence names, or None."""
    s = " ".join(text.lower().split())
    return next((name for name, pattern in TOPICS if pattern.search(s)), None)
