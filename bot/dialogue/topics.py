"""Topics a person may type instead of an answer ("what if I get laid off?"), by name.

Before the answer, the first five get a short reply (templates/messages.toml [dialogue.topic]);
after it, every topic opens the section of the answer about it (bot.render.sections).
"""

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
    (
        "taxes",
        re.compile(r"\bis\s+(?:this|it|that)\s+taxed\b|\bhow\s+much\s+tax\b|\btax(?:es|ed)\b"),
    ),
    ("chart", re.compile(r"\b(?:chart|graph|plot|picture)s?\b")),
    ("cash_out", re.compile(r"\bcash(?:ing)?[\s-]*(?:it\s+|everything\s+|all\s+)?out\b")),
    (
        "rollover",
        re.compile(r"\broll(?:ing)?\s+(?:it\s+|this\s+|that\s+|my\s+\w+\s+)?over\b|\brollovers?\b"),
    ),
    ("vesting", re.compile(r"\bvest(?:ed|ing|s)?\b")),
    ("roth", re.compile(r"\broth\b")),
    ("rmd", re.compile(r"\brmds?\b|\brequired\s+minimum\b")),
    (
        "loan",
        re.compile(
            r"\b(?:my|your|the|this|a|about)\s+(?:new\s+)?(?:401\s*\(?k\)?\s+)?loans?\b"
            r"|^loans?\W*$|\bborrow"
        ),
    ),
    (
        "plan",
        re.compile(
            r"\bdeadlines?\b|\bchecklist\b|\bnext\s+steps?\b|\bwhat\s+(?:do|should)\s+i\s+do\b"
            r"|\bby\s+when\b|\bplan\s+administrator\b"
        ),
    ),
    ("fees", re.compile(r"\bfees?\b")),
    ("assumed", re.compile(r"\bassum")),
    ("sources", re.compile(r"\bsources?\b|\bwhere\b.*\bcomes?\s+from\b")),
    ("match", re.compile(r"\bmatch(?:ing)?\b")),
    ("limits", re.compile(r"\blimits?\b|\bhow\s+much\s+can\s+i\s+(?:put|save|contribute)\b")),
    ("invested", re.compile(r"\binvest(?:ed|ing|ments?)?\b|\bstocks?\b|\bbonds?\b|\brebalanc")),
    ("options", re.compile(r"\boptions?\b|\bchoices?\b|\bside\s+by\s+side\b|\bcompare\b")),
    ("why", re.compile(r"^why\b|\bwhy\s+(?:this|that|not|an?\s+ira)\b")),
    ("parts", re.compile(r"\beach\s+part\b|\bwhere\b.*\bgoes\b")),
    ("withdrawal", re.compile(r"\bwithdraw(?:al|ing)?\b")),
    ("early", re.compile(r"\bearly\b|\bbefore\s+59")),
    ("later", re.compile(r"\blater\s+years\b|\bsocial\s+security\b|\bheirs?\b")),
    ("retirement", re.compile(r"\bretire(?:ment|d|ing)?\b|\bheading\b|\bhow\s+long\b")),
    ("verdict", re.compile(r"\bshort\s+answer\b|\bverdict\b|\bbottom\s+line\b")),
)


def topic_of(text: str) -> str | None:
    """The topic a typed sentence names, or None."""
    s = " ".join(text.lower().split())
    return next((name for name, pattern in TOPICS if pattern.search(s)), None)
