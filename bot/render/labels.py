"""Engine codes, trace figures and terms of art in plain words, from templates/messages.toml.

The words live in the [label.<kind>] tables; this module only looks them up: ``LABELS`` reads
them as a mapping (kind -> code -> text), ``figure_label`` names a trace figure, and
``Glossary`` defines each term of art once per answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from markupsafe import Markup

from bot.wording import has, label, label_codes, label_kinds, text

_FIGURE_ID = re.compile(
    r"^(job_change\.options|actions|loan\.request\.if_job_lost|withdrawal\.exception_amounts)"
    r"\.([a-z0-9_]+)\.(.+)$"
)
# A figure of one item of a list (an option, an action, a job-loss row, an exception): the
# kind of the item's name (None: its code is a number, shown as it is), the kind of the
# figure's name, the phrase that joins the two, and the phrase's name for the item.
_PER_ITEM: dict[str, tuple[str | None, str, str, str]] = {
    "job_change.options": ("option", "option_figure", "label.phrase.option_figure", "option"),
    "actions": ("action", "action_figure", "label.phrase.action_figure", "action"),
    "loan.request.if_job_lost": (None, "job_lost_figure", "label.phrase.job_lost_figure", "months"),
    "withdrawal.exception_amounts": (
        "withdrawal_exception",
        "exception_figure",
        "label.phrase.exception_figure",
        "exception",
    ),
}


class KindLabels(Mapping[str, str]):
    """The wording of every code of one kind, for one tax year (the latest when None)."""

    def __init__(self, kind: str, year: int | None = None) -> None:
        self.kind, self.year = kind, year
        self.codes = label_codes(kind)

    def __getitem__(self, code: str) -> str:
        if code not in self.codes:
            raise KeyError(code)
        return label(code, self.kind, self.year)

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)


class Labels(Mapping[str, KindLabels]):
    """Every kind of code with its wording: LABELS["option"]["cash_out"] == "Cash it out"."""

    def __init__(self, year: int | None = None) -> None:
        self.year = year

    def __getitem__(self, kind: str) -> KindLabels:
        if kind not in label_kinds():
            raise KeyError(kind)
        return KindLabels(kind, self.year)

    def __iter__(self) -> Iterator[str]:
        return iter(label_kinds())

    def __len__(self) -> int:
        return len(label_kinds())


LABELS = Labels()


def figure_label(figure: str, year: int | None = None) -> str:
    """The plain-English name of a trace figure (the figure id itself when it has none)."""
    m = _FIGURE_ID.match(figure)
    if m is None:
        return label(figure, "figure", year) if has(f"label.figure.{figure}") else figure
    owner, code, rest = m.groups()
    item_kind, figure_kind, phrase, item = _PER_ITEM[owner]
    if not has(f"label.{figure_kind}.{rest}"):
        return figure
    name = code if item_kind is None else label(code, item_kind, year)
    what = label(rest, figure_kind, year)
    values: dict[str, Any] = {item: name, "figure": what}
    return text(phrase, **values)


# How each term of art shows up in a sentence (for Glossary.for_text).
TERM_WORDS: dict[str, re.Pattern[str]] = {
    "vesting": re.compile(r"\bvest", re.IGNORECASE),
    "rollover": re.compile(r"\brollover", re.IGNORECASE),
    "indirect_rollover": re.compile(r"indirect rollover|within \d+ days", re.IGNORECASE),
    "ira": re.compile(r"\bIRA\b"),
    "withholding": re.compile(r"\bwithh(?:eld|old)", re.IGNORECASE),
    "loan_offset": re.compile(r"loan offset|unpaid loan", re.IGNORECASE),
    "additional_tax": re.compile(r"additional tax", re.IGNORECASE),
    "rmd": re.compile(r"\bRMD|required minimum distribution", re.IGNORECASE),
    "catch_up": re.compile(r"catch-up", re.IGNORECASE),
    "match": re.compile(r"\bmatch\b", re.IGNORECASE),
    "roth": re.compile(r"\bRoth\b"),
}


class Glossary:
    """Defines each term of art once per rendered answer, the first time it is used."""

    def __init__(self, year: int | None = None) -> None:
        self.seen: set[str] = set()
        self.year = year

    def __call__(self, *terms: str) -> Markup:
        """New lines with the terms' one-line definitions, leaving out those already given."""
        out = Markup("")
        for term in terms:
            if term not in self.seen:
                self.seen.add(term)
                out += Markup("\n<i>{}</i>").format(label(term, "term", self.year))
        return out

    def for_text(self, text: str) -> Markup:
        """Definitions of the terms a sentence uses that have not been defined yet."""
        return self(*(term for term, words in TERM_WORDS.items() if words.search(text)))


__all__ = ["LABELS", "TERM_WORDS", "Glossary", "KindLabels", "Labels", "figure_label"]
