"""Renders the Report through the templates in templates/ into Telegram HTML.

The modules: ``sections`` (the verdict first, then one section per tap: which apply to this
person, their text, the figures /why shows for each), ``answer`` (the whole answer per path,
the change after an edit), ``why`` (the trace),
``labels`` (codes, figures and terms in plain words, read from templates/messages.toml) and
``telegram_html`` (plain text and splitting). The one jinja2 environment, its filters and the
``param()`` global live in ``bot.wording``; ``to_plain`` turns the HTML into console text.
"""

from __future__ import annotations

from bot.formats import money, percent
from bot.render.answer import (
    PATHS,
    SECTION_TEMPLATES,
    render_answer,
    render_change,
    render_template,
)
from bot.render.labels import LABELS, TERM_WORDS, Glossary, figure_label
from bot.render.sections import (
    Sections,
    button_label,
    render_part,
    render_verdict,
    render_why_list,
    section_for_topic,
    sections_of,
)
from bot.render.telegram_html import ALLOWED_TAGS, LIMIT, split_message, to_plain
from bot.render.why import render_why, render_why_part
from bot.wording import ENV, TEMPLATES, label
from bot.wording import date_text as long_date

__all__ = [
    "ALLOWED_TAGS",
    "ENV",
    "LABELS",
    "LIMIT",
    "PATHS",
    "SECTION_TEMPLATES",
    "TEMPLATES",
    "TERM_WORDS",
    "Glossary",
    "Sections",
    "button_label",
    "figure_label",
    "label",
    "long_date",
    "money",
    "percent",
    "render_answer",
    "render_change",
    "render_part",
    "render_template",
    "render_verdict",
    "render_why",
    "render_why_list",
    "render_why_part",
    "section_for_topic",
    "sections_of",
    "split_message",
    "to_plain",
]
