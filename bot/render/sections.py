"""The answer in parts: the verdict first (one screen), then one section per tap.

Each path's sections are listed in ``PARTS``: the templates a section shows, whether it applies
to this person (a section whose text comes out empty does not), the trace figures ``/why``
shows for it, and whether the chart follows it. Together a path's sections show every sentence
of the whole answer (``render_answer``); the tests check that, person by person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from functools import lru_cache

from markupsafe import Markup

from bot.formats import money
from bot.render.answer import render_template, rmd_relevant, tidy
from bot.render.labels import Glossary
from bot.wording import ENV, label, say, text
from engine import Report

SECTION = "section"  # what a section button answers (Reply.question)
VERDICT = "verdict"  # the key of the verdict itself (its button: "Short answer")
SOURCES = "sources"  # the section that lists /why's parts
CHART = "chart"  # the section that sends the chart
WHY = "why:"  # a /why part's button key: why:<section>

Applies = Callable[[Report], bool]


def _always(r: Report) -> bool:
    """Every person."""
    return True


def _has_loan(r: Report) -> bool:
    """An unpaid plan loan."""
    return r.loan.outstanding > 0


def _has_roth(r: Report) -> bool:
    """Roth money in the plan."""
    return r.roth.balance > 0


def _rmd(r: Report) -> bool:
    """RMDs due now, delayed by work, or at most two years away."""
    return rmd_relevant(r)


def _cash_out_on_withdrawal(r: Report) -> bool:
    """Leaving, with no withdrawal amount asked: what cashing out costs."""
    return r.job_change.leaving and r.withdrawal is None


def _no_withdrawal(r: Report) -> bool:
    """No withdrawal amount asked: the general rule on money out early."""
    return r.withdrawal is None


def _no_request(r: Report) -> bool:
    """No new loan asked for."""
    return r.loan.request is None


def chart_applies(r: Report) -> bool:
    """Whether the answer has a chart (bot.chart draws one on these same conditions)."""
    if r.retirement is not None and r.retirement.historical is not None:
        return True
    return r.job_change.leaving and any(o.available for o in r.job_change.options)


@dataclass(frozen=True)
class Part:
    """One section of an answer: its templates, when it applies, its /why figures, its chart."""

    key: str
    templates: tuple[str, ...] = ()
    applies: Applies = _always
    why: tuple[str, ...] = ()  # trace figure patterns (fnmatch; a prefix covers what is under)
    chart: bool = False  # the chart follows this section


_PLAN = Part("plan", ("actions.j2", "checklist.j2", "disclaimer.j2"), why=("actions",))
_ASSUMED = Part("assumed", ("assumed.j2", "notes.j2"))
_CHART = Part(CHART, applies=chart_applies, chart=True)
_SOURCES = Part(SOURCES)
_ROTH = Part("roth", ("roth.j2",), _has_roth, why=("roth",))
_RMD = Part("rmd", ("rmd.j2",), _rmd, why=("rmd",))
_VESTING = Part("vesting", ("vesting.j2",), why=("vesting",))
_OPTION_FIGURES = tuple(
    f"job_change.options.*.{f}" for f in ("net_now", "value_at_retirement", "fees_to_retirement")
)

# Each path's sections, in the order of their buttons.
PARTS: dict[str, tuple[Part, ...]] = {
    "job_change": (
        Part(
            "why_this",
            ("recommendation.j2",),
            why=("job_change.reasons", "job_change.recommended"),
        ),
        Part(
            "options",
            ("at_stake.j2", "options.j2"),
            why=("job_change.at_stake", *_OPTION_FIGURES, "assumptions"),
            chart=True,
        ),
        Part(
            "parts",
            ("moving.j2",),
            why=(
                "job_change.roth_to_roth_ira",
                "job_change.rmd_first",
                "job_change.after_tax_split",
                "job_change.nua",
            ),
        ),
        Part(
            "cash_out",
            ("cash_out.j2", "indirect.j2", "early_withdrawal.j2"),
            why=(
                "job_change.options.cash_out",
                "job_change.options.indirect_rollover",
                "job_change.payout_tax_year",
                "early_withdrawal",
            ),
        ),
        _VESTING,
        Part("loan", ("loan.j2",), _has_loan, why=("loan.outstanding", "loan.offset")),
        _ROTH,
        _RMD,
        _PLAN,
        _ASSUMED,
        _CHART,
        _SOURCES,
    ),
    "loan": (
        Part(
            "new_loan",
            ("loan_request.j2",),
            lambda r: r.loan.request is not None,
            why=("loan.request", "loan.default"),
        ),
        Part("job_lost", ("loan_job_lost.j2",), why=("loan.request.if_job_lost",)),
        Part("borrow", ("loan.j2",), why=("loan",)),
        _VESTING,
        Part("early", ("early_withdrawal.j2",), _no_request, why=("early_withdrawal",)),
        _PLAN,
        _ASSUMED,
        _CHART,
        _SOURCES,
    ),
    "withdrawal": (
        Part(
            "withdrawal",
            ("withdrawal.j2",),
            lambda r: r.withdrawal is not None,
            why=("withdrawal", "loan.max_new_loan"),
        ),
        Part("early", ("early_withdrawal.j2",), _no_withdrawal, why=("early_withdrawal",)),
        Part(
            "cash_out",
            ("cash_out.j2",),
            _cash_out_on_withdrawal,
            why=("job_change.options.cash_out", "job_change.payout_tax_year"),
        ),
        Part("loan", ("loan.j2",), _has_loan, why=("loan",)),
        _ROTH,
        _RMD,
        _PLAN,
        _ASSUMED,
        _CHART,
        _SOURCES,
    ),
    "saving": (
        Part("saving", ("saving.j2",), why=("saving",)),
        Part("match", ("contributions.j2",), why=("contributions",)),
        Part("invested", ("allocation.j2",), why=("allocation",)),
        Part("limits", ("limits.j2",), why=("limits",)),
        _RMD,
        _PLAN,
        _ASSUMED,
        _CHART,
        _SOURCES,
    ),
    "retiring": (
        Part("retirement", ("retirement.j2",), why=("retirement",)),
        Part("later", ("retirement_later.j2",), why=()),
        Part("invested", ("allocation.j2",), why=("allocation",)),
        _PLAN,
        _ASSUMED,
        _CHART,
        _SOURCES,
    ),
}
# Trace figures no section shows (the payments that avoid the additional tax are not advised).
_NOT_SHOWN = ("early_withdrawal.sepp",)


def _part(path: str, key: str) -> Part | None:
    """A section of a path by key."""
    return next((p for p in PARTS.get(path, ()) if p.key == key), None)


def button_label(key: str) -> str:
    """A section's button, in plain text."""
    return text(f"answer.button.{key}")


def _pieces(report: Report, path: str, key: str, assumed: Sequence[str]) -> Iterator[Iterator[str]]:
    """Each template of a section as the pieces jinja2 renders it in (none when the section
    does not apply); one glossary for the section, so a term is defined at its first use."""
    part = _part(path, key)
    if part is None or not part.applies(report) or not part.templates:
        return
    define = Glossary(report.tax_year)
    for name in part.templates:
        yield ENV.get_template(name).generate(
            r=report, path=path, assumed=list(assumed), define=define
        )


def render_part(report: Report, path: str, key: str, *, assumed: Sequence[str] = ()) -> str:
    """One section's text (Telegram HTML); empty when it does not apply to this person."""
    shown = ["".join(pieces) for pieces in _pieces(report, path, key, assumed)]
    return tidy("\n\n".join(s for s in shown if s.strip()))


def _has_text(report: Report, path: str, key: str, assumed: Sequence[str]) -> bool:
    """Whether render_part() gives any text: each template is rendered only up to its first
    piece that is not blank (what the person would read is not built in full)."""
    return any(
        any(piece.strip() for piece in pieces) for pieces in _pieces(report, path, key, assumed)
    )


def _figures(report: Report, path: str, keys: Sequence[str]) -> dict[str, list[str]]:
    """The trace figures of each section: a figure goes to the section whose pattern fits it
    most closely; figures of sections that do not apply are left out."""
    out: dict[str, list[str]] = {}
    shown = tuple(keys)
    for entry in report.trace:
        figure = entry["figure"]
        best = _section_of(figure, path, shown)
        if best is not None:
            out.setdefault(best, []).append(figure)
    return out


@lru_cache(maxsize=8192)
def _section_of(figure: str, path: str, keys: tuple[str, ...]) -> str | None:
    """The section of these whose pattern fits the figure most closely (None: not shown)."""
    if any(_fits(figure, n) for n in _NOT_SHOWN):
        return None
    best: tuple[int, str] | None = None
    for part in PARTS.get(path, ()):
        if part.key not in keys:
            continue
        for pattern in part.why:
            if _fits(figure, pattern) and (best is None or len(pattern) > best[0]):
                best = (len(pattern), part.key)
    return None if best is None else best[1]


def _fits(figure: str, pattern: str) -> bool:
    """A figure id fits a pattern: the same, under it (a prefix), or an fnmatch of it."""
    return figure == pattern or figure.startswith(pattern + ".") or fnmatchcase(figure, pattern)


@dataclass(frozen=True)
class Sections:
    """The sections that apply to one answer, in button order, and their /why figures."""

    keys: tuple[str, ...]
    why: dict[str, list[str]]

    @property
    def why_keys(self) -> tuple[str, ...]:
        """The sections /why has figures for, in button order."""
        return tuple(k for k in self.keys if self.why.get(k))


def sections_of(report: Report, path: str, *, assumed: Sequence[str] = ()) -> Sections:
    """The sections that apply to this person (their text is not empty), in button order."""
    keys: list[str] = []
    for part in PARTS.get(path, ()):
        if part.key in (SOURCES, CHART):
            shown = part.key == SOURCES or part.applies(report)
        else:
            shown = _has_text(report, path, part.key, assumed)
        if shown:
            keys.append(part.key)
    return Sections(tuple(keys), _figures(report, path, keys))


def has_chart(path: str, key: str, report: Report) -> bool:
    """Whether the chart follows this section for this person."""
    part = _part(path, key)
    return part is not None and part.chart and chart_applies(report)


# Steps that are no deadline of their own: one only if a check was paid, one a later date for
# the same step.
_ONLY_IF = ("indirect_rollover_deadline_if_paid_to_you", "roll_over_loan_offset_with_extension")


@dataclass(frozen=True)
class Deadline:
    """The first dated step: its date and what to do (plain text)."""

    date: date
    what: str


def first_deadline(r: Report, path: str) -> Deadline | None:
    """The first step not yet passed: the action plan's (job change), else this year's RMD."""
    if path == "job_change":
        steps = (a for a in r.actions if a.date >= r.as_of and a.what not in _ONLY_IF)
        ahead = sorted(steps, key=lambda a: a.date)
        if ahead:
            return Deadline(ahead[0].date, label(ahead[0].what, "action", r.tax_year))
        return None
    m = r.rmd
    if rmd_relevant(r) and m.required_now and m.due is not None and m.amount > 0:
        what = text("answer.deadline_rmd", amount=money(m.amount), year=str(r.tax_year))
        return Deadline(m.due, what)
    return None


ENV.globals.update(first_deadline=first_deadline)


class _Silent(Glossary):
    """A glossary that defines nothing (the verdict leaves definitions to the sections)."""

    def __call__(self, *terms: str) -> Markup:
        """No definitions."""
        return Markup("")


def render_verdict(
    report: Report, path: str, *, year_note: str | None = None, assumed: Sequence[str] = ()
) -> str:
    """The first message of the answer: what to do, the amounts that matter, the first date."""
    return tidy(
        render_template(
            "verdict.j2", r=report, path=path, year_note=year_note, define=_Silent(report.tax_year)
        )
    )


def render_why_list() -> str:
    """/why alone: the heading above the sections to pick from."""
    return say("answer.why.list")


# The sections a typed topic may mean, most fitting first; the first that applies is shown.
TOPIC_PARTS: dict[str, tuple[str, ...]] = {
    "job_loss": ("job_lost", "loan", "borrow", "options"),
    "hardship": ("withdrawal", "early", "cash_out"),
    "penalty": ("withdrawal", "early", "cash_out"),
    "taxes": ("withdrawal", "cash_out", "early", "new_loan", "saving", "later"),
    "loan_instead": ("withdrawal", "borrow", "loan", "new_loan"),
    "why": ("why_this", "options", "saving", "retirement"),
    "rollover": ("why_this", "options", "parts"),
    "chart": (CHART,),
    "vesting": ("vesting",),
    "loan": ("loan", "new_loan", "borrow"),
    "roth": ("roth", "parts", "saving"),
    "rmd": ("rmd", "later"),
    "cash_out": ("cash_out", "early", "withdrawal"),
    "plan": ("plan",),
    "options": ("options", "new_loan", "withdrawal", "early", "saving", "retirement"),
    "assumed": ("assumed",),
    "fees": ("assumed", "options"),
    "sources": (SOURCES,),
    "match": ("match",),
    "limits": ("limits", "borrow"),
    "invested": ("invested",),
    "parts": ("parts",),
    "withdrawal": ("withdrawal", "early", "cash_out"),
    "early": ("early", "withdrawal", "cash_out"),
    "later": ("later", "rmd"),
    "retirement": ("retirement", "saving", "options"),
    "verdict": (VERDICT,),
}


def section_for_topic(topic: str, applicable: Sequence[str]) -> str | None:
    """The section a typed topic shows, of those that apply; None when none fits."""
    return next((k for k in TOPIC_PARTS.get(topic, ()) if k == VERDICT or k in applicable), None)


def section_named(typed: str, applicable: Sequence[str]) -> str | None:
    """The section whose button's name was typed ("what to do", "Cash-out cost")."""
    t = " ".join(typed.casefold().rstrip(" ?.!").split())
    keys = [VERDICT, *applicable]
    return next((k for k in keys if button_label(k).casefold() == t), None)


__all__ = [
    "CHART",
    "PARTS",
    "SECTION",
    "SOURCES",
    "TOPIC_PARTS",
    "VERDICT",
    "WHY",
    "Deadline",
    "Part",
    "Sections",
    "button_label",
    "chart_applies",
    "first_deadline",
    "has_chart",
    "render_part",
    "render_verdict",
    "render_why_list",
    "section_for_topic",
    "section_named",
    "sections_of",
]
