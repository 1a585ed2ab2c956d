"""The readers under their old module name (bot.dialogue.readers holds them, one kind each)."""

from __future__ import annotations

from bot.dialogue.readers import (
    MAX_CHARS,
    Parsed,
    parse_birth_or_age,
    parse_choice,
    parse_date,
    parse_filing_status,
    parse_match,
    parse_money,
    parse_percent,
    parse_yes_no,
)

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
