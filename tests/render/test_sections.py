"""The answer in parts, for every snapshot person: a verdict that fits one screen, sections
that fit one message, nothing of the whole answer lost, and no internal name anywhere."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from jinja2.exceptions import UndefinedError

from bot.render import (
    PATHS,
    button_label,
    render_answer,
    render_change,
    render_part,
    render_verdict,
    render_why_list,
    render_why_part,
    sections_of,
    split_message,
    to_plain,
)
from bot.render.labels import LABELS, figure_label
from bot.render.sections import CHART, PARTS, SOURCES, TOPIC_PARTS, VERDICT
from bot.wording import label_codes, label_kinds, messages, say, text
from engine import Report
from tests.render.test_snapshots import PEOPLE, report_of

VERDICT_MAX = 700  # visible characters of the first message
# Visible characters of a section at most: the aim is 1,200 (most are under it; the longest,
# the reasons for the suggestion, are about 1,800); one Telegram message holds 4,096.
SECTION_MOST = 2400
YEAR_NOTE = say("dialogue.year_note", latest=2026, this_year=2027)
NAMES = sorted(PEOPLE)


def visible(html: str) -> int:
    """Characters a person sees: tags left out, an entity counted once."""
    return len(to_plain(html))


@pytest.mark.parametrize("name", NAMES)
def test_the_verdict_fits_one_screen(name: str) -> None:
    path = PEOPLE[name][0]
    r = report_of(name)
    for note in (None, YEAR_NOTE):
        verdict = render_verdict(r, path, year_note=note)
        assert visible(verdict) <= VERDICT_MAX, (name, visible(verdict), to_plain(verdict))


@pytest.mark.parametrize("name", NAMES)
def test_each_section_fits_one_message(name: str) -> None:
    path = PEOPLE[name][0]
    r = report_of(name)
    found = sections_of(r, path)
    assert SOURCES in found.keys
    for key in found.keys:
        shown = render_part(r, path, key)
        if key in (CHART, SOURCES):
            assert shown == ""  # the chart and the /why list are not text sections
            continue
        assert len(split_message(shown)) == 1, (name, key)
        assert visible(shown) <= SECTION_MOST, (name, key, visible(shown))


def _without_definitions(plain: str) -> str:
    """Plain text with the glossary's one-line definitions taken out (each section defines
    its own terms, so a definition may sit after a different sentence than in one text)."""
    for term in label_codes("term"):
        plain = plain.replace("\n" + to_plain(LABELS["term"][term]), "")
    return plain


@pytest.mark.parametrize("name", NAMES)
def test_every_sentence_of_the_whole_answer_is_in_some_section(name: str) -> None:
    path = PEOPLE[name][0]
    r = report_of(name)
    whole = to_plain("\n\n".join(render_answer(r, path)))
    found = sections_of(r, path)
    read = [to_plain(render_verdict(r, path))]
    read += [to_plain(render_part(r, path, k)) for k in found.keys]
    together = "\n\n".join(read)
    plain = _without_definitions(together)
    for line in _without_definitions(whole).splitlines():
        assert line in plain, (name, line)
    for term in label_codes("term"):  # every definition the whole answer gives is given
        definition = to_plain(LABELS["term"][term])
        assert definition not in whole or definition in together, (name, term)


@pytest.mark.parametrize("name", NAMES)
def test_the_key_amounts_of_the_answer_are_all_in_its_sections(name: str) -> None:
    path = PEOPLE[name][0]
    r = report_of(name)
    amounts = set(re.findall(r"\$[\d,]+(?:\.\d\d)?", to_plain("\n".join(render_answer(r, path)))))
    found = sections_of(r, path)
    together = "\n".join(to_plain(render_part(r, path, k)) for k in found.keys)
    assert amounts and {a for a in amounts if a not in together} == set(), name


def test_a_section_applies_only_when_it_has_something_to_say() -> None:
    leaving = report_of("45-loan-unvested-match")
    keys = sections_of(leaving, "job_change").keys
    assert {"loan", "vesting", "chart", "options", "cash_out"} <= set(keys)
    plain = sections_of(report_of("28-small-balance"), "job_change").keys
    assert "loan" not in plain and "vesting" not in plain and "roth" not in plain
    saver = sections_of(report_of("74-still-working"), "saving").keys
    assert "chart" not in saver and "rmd" in saver


def test_no_loan_figures_for_someone_leaving_and_no_other_sections_figures() -> None:
    r = report_of("45-loan-unvested-match")
    found = sections_of(r, "job_change")
    loan = "\n".join(render_why_part(r, button_label("loan"), found.why["loan"]))
    assert "Most you can borrow" not in to_plain(loan)
    assert "loan offset" in to_plain(loan).lower()
    shown = [f for figures in found.why.values() for f in figures]
    assert len(shown) == len(set(shown))  # each figure under one section only
    assert not any(f.startswith(("limits.", "saving.", "contributions.")) for f in shown)


# An internal name: a snake_case code or a dotted id (figure ids, engine codes).
INTERNAL = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z_]+\.[a-z_]+\b")
URL = re.compile(r"https?://\S+|t\.me/\S+|\b[a-z0-9-]+\.(?:gov|com|org)\b")
# Known words that look like one: "e.g" (for example) and "i.e" (that is) only.
ALLOWED = {"e.g", "i.e"}


def internal_names(html: str) -> set[str]:
    """The internal names a text shows."""
    plain = URL.sub("", to_plain(html))
    return {m for m in INTERNAL.findall(plain) if m not in ALLOWED}


def _everything_read(name: str) -> list[str]:
    """Every text a person can reach for one snapshot person: the verdict, each section,
    the /why list and each /why section, and the change to a slightly different answer."""
    path = PEOPLE[name][0]
    r = report_of(name)
    found = sections_of(r, path)
    out = [render_verdict(r, path, year_note=YEAR_NOTE), render_why_list()]
    out += [render_part(r, path, k) for k in found.keys]
    for key in found.why_keys:
        out += render_why_part(r, button_label(key), found.why[key])
    out.append(render_change(_poorer(r), r, path))
    for other in PATHS:  # every template, on this person's figures
        out.append(render_verdict(r, other))
        out += [render_part(r, other, p.key) for p in PARTS[other]]
    return out


def _poorer(r: Report) -> Report:
    """The same report with every option worth a dollar less now (a change to show)."""
    options = [
        o.model_copy(update={"net_now": o.net_now - Decimal(1)}) for o in r.job_change.options
    ]
    return r.model_copy(update={"job_change": r.job_change.model_copy(update={"options": options})})


@pytest.mark.parametrize("name", NAMES)
def test_no_internal_name_in_anything_a_person_reads(name: str) -> None:
    for shown in _everything_read(name):
        assert not internal_names(shown), (name, internal_names(shown), to_plain(shown)[:300])


def test_no_internal_name_in_any_label_or_message() -> None:
    for key in messages():
        try:
            shown = text(key, tax_year=2026)
        except UndefinedError:  # a message with values of its own: checked where it is shown
            continue
        assert not internal_names(shown), (key, internal_names(shown))
    for kind in label_kinds():
        for code in label_codes(kind):
            assert not internal_names(LABELS[kind][code]), (kind, code)
    for part in {p.key for parts in PARTS.values() for p in parts}:
        assert not internal_names(button_label(part)), part


def test_every_figure_a_section_shows_in_why_has_a_name() -> None:
    for name in NAMES:
        path = PEOPLE[name][0]
        r = report_of(name)
        for figures in sections_of(r, path).why.values():
            for figure in figures:
                assert figure_label(figure, r.tax_year) != figure, (name, figure)


def test_every_topic_names_sections_that_exist() -> None:
    keys = {p.key for parts in PARTS.values() for p in parts} | {VERDICT}
    for topic, wanted in TOPIC_PARTS.items():
        assert set(wanted) <= keys, topic


@pytest.mark.parametrize("name", NAMES)
def test_a_section_has_a_button_exactly_when_its_text_is_not_empty(name: str) -> None:
    path = PEOPLE[name][0]
    r = report_of(name)
    found = sections_of(r, path)
    for part in PARTS[path]:
        if part.key in (SOURCES, CHART):
            continue
        assert (part.key in found.keys) == bool(render_part(r, path, part.key)), part.key
