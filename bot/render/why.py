"""/why: the trace grouped by section, each figure with its value, formula, source and year."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup

from bot.formats import long_date, money, number, percent
from bot.render.answer import render_template, tidy
from bot.render.labels import LABELS, figure_label
from bot.render.telegram_html import split_message
from bot.wording import label, say, text
from engine import Report
from engine.report import TraceEntry

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Figures whose formulas name engine codes and figure ids: those are put in words.
_WORDED_FORMULAS = ("withdrawal.", "loan.request.", "loan.default.", "early_withdrawal.sepp.")
_FIGURE_IN_FORMULA = re.compile(r"\b[a-z_]+(?:\.[a-z0-9_]+)+\b")
# A code in a formula: one with an underscore anywhere, a one-word code only before ": " or " $".
_CODE_IN_FORMULA = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\b[a-z]+(?=: | \$)")
_FORMULA_CODE_KINDS = ("withdrawal_exception", "loan_problem")
# A filing status in a formula ("single" reads as it is).
_FILING = re.compile(r"\b(?:married_joint|married_separate|head_of_household)\b")


def _code_words(m: re.Match[str], year: int) -> str:
    """A code found in a formula, in plain words (left as it is when it is not a code)."""
    code = m.group(0)
    for kind in _FORMULA_CODE_KINDS:
        if code in LABELS[kind]:
            return label(code, kind, year)
    return code


def _figure_words(m: re.Match[str], year: int) -> str:
    """A figure id found in a formula or source, as its label in quotes (else as it is)."""
    name = figure_label(m.group(0), year)
    return f'"{name}"' if name != m.group(0) else m.group(0)


def _why_formula(figure: str, formula: str, year: int) -> str:
    """A trace formula as the person reads it: figure ids and filing statuses in words; for
    the newer sections, codes and dates too."""
    out = _FIGURE_IN_FORMULA.sub(lambda m: _figure_words(m, year), formula)  # no figure ids
    out = _FILING.sub(lambda m: text(f"dialogue.choice.filing.{m.group(0)}").lower(), out)
    if not figure.startswith(_WORDED_FORMULAS):
        return out
    out = _CODE_IN_FORMULA.sub(lambda m: _code_words(m, year), out)
    return _ISO_DATE.sub(lambda m: long_date(date.fromisoformat(m.group(0))), out)


# Trace figures that are counts or factors, not dollars.
_PLAIN_NUMBERS = (
    "loan.request.payments_per_year",
    "loan.request.number_of_payments",
    "early_withdrawal.sepp.life_expectancy",
)


def _why_value(figure: str, value: str) -> str:
    """A trace value as the person reads it: dollars, percent, date, year, age, yes or no."""
    if _ISO_DATE.fullmatch(value):
        return long_date(date.fromisoformat(value))
    if value in ("True", "False"):
        return text("label.phrase.yes" if value == "True" else "label.phrase.no")
    if value == "unknown":
        return text("label.phrase.not_in_data")
    if figure == "early_withdrawal.exception":
        return label(value, "exception")
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    if figure.endswith("percent") or figure.endswith("percent_for_full_match"):
        return percent(d)
    if figure.endswith("_year"):
        return str(int(d))
    if figure in ("rmd.start_age", "assumptions.retirement_age"):
        return text("label.phrase.age", age=number(d))
    if figure == "rmd.factor" or figure in _PLAIN_NUMBERS:
        return number(d)
    if figure in ("loan.repayment_term_years", "loan.request.years"):
        return text("label.phrase.years", years=number(d))
    return money(d)


def render_why(report: Report, *, section: str | None = None) -> list[str]:
    """The trace, grouped by section: each figure with its formula, source and tax year."""
    sections = dict(LABELS["section"])
    if section is not None and section not in sections:
        out = render_template(
            "why.j2", r=report, groups=[], unknown=section, sections=sections, heading=None
        )
        return split_message(tidy(out))
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in report.trace:
        top = e["figure"].split(".", 1)[0]
        if section is not None and top != section:
            continue
        groups.setdefault(top, []).append(_entry(e, report.tax_year))
    ordered = [
        {"title": sections.get(top, top), "entries": entries} for top, entries in groups.items()
    ]
    out = render_template(
        "why.j2", r=report, groups=ordered, unknown=None, sections=sections, heading=None
    )
    return split_message(tidy(out))


def _entry(e: TraceEntry, year: int) -> dict[str, Any]:
    """One trace figure as the person reads it: name, value, formula, source, tax year."""
    return {
        "label": figure_label(e["figure"], year),
        "value": _why_value(e["figure"], e["value"]),
        "formula": _why_formula(e["figure"], e["formula"], year),
        "source": _FIGURE_IN_FORMULA.sub(lambda m: _figure_words(m, year), e["source"]),
        "tax_year": e["tax_year"],
    }


def render_why_part(report: Report, title: str, figures: Sequence[str]) -> list[str]:
    """/why for one part of the answer: only its figures, each with formula, source and year."""
    wanted = set(figures)
    entries = [_entry(e, report.tax_year) for e in report.trace if e["figure"] in wanted]
    heading = Markup(say("answer.why.title", part=title))
    out = render_template(
        "why.j2",
        r=report,
        groups=[{"title": None, "entries": entries}],
        unknown=None,
        sections={},
        heading=heading,
    )
    return split_message(tidy(out))


__all__ = ["render_why", "render_why_part"]
