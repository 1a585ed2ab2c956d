"""Readers: what a person types, read into exact values (one small module per kind of answer).

Every reader returns a ``Parsed`` (a value, a doubt to confirm, a re-ask, or "don't know")
and never raises; every sentence it says back is in templates/messages.toml [dialogue.read].
"""

from __future__ import annotations

from bot.dialogue.readers.age import parse_birth_or_age
from bot.dialogue.readers.base import MAX_CHARS, Parsed
from bot.dialogue.readers.choices import parse_choice
from bot.dialogue.readers.dates import parse_date
from bot.dialogue.readers.filing import parse_filing_status
from bot.dialogue.readers.match import parse_match
from bot.dialogue.readers.money import parse_money
from bot.dialogue.readers.percent import parse_percent
from bot.dialogue.readers.yes_no import parse_yes_no

__all__ = [
    "MAX_CHARS",
    "Parsed",
    "parse_birth_or_age",
    "parse_choice",
    "parse_date",
    "parse_filing_status",
    "parse_match",
    "parse_money",
    "parse_percent",
    "parse_yes_no",
]
