"""An age ("45") or a birth date ("1980-05-02")."""

from __future__ import annotations

import re
from datetime import date

from bot.dialogue.readers.base import Parsed, is_unknown, msg, never_raise, prepare, strip_end
from bot.dialogue.readers.dates import read_date
from bot.dialogue.readers.number_words import replace_number_words

_AGE_EXAMPLE = "dialogue.read.age.example"
_AGE_RE = re.compile(
    r"(?:(?:i'?m|i am|im|age|aged|age is|my age is|i'?m age)\s*:?\s*)?(\d{1,3})"
    r"\s*(?:years? old|yrs? old|y/?o|years?|yrs?|yo)?"
)
_BARE_YEAR_RE = re.compile(r"(?:(?:i was )?born (?:in )?|in )?(\d{4})")
_BORN_RE = re.compile(
    r"^(?:i was\s+)?(?:born\s*(?:on|in)?|dob|d\.o\.b|date of birth|birthday|birth date"
    r"|my birthday is|my date of birth is|my dob is|b\.)\s*:?\s*"
)
_MIN_AGE, _MAX_AGE = 16, 110


def _ask() -> str:
    """How to answer the age question."""
    return msg("dialogue.read.age.ask", example=msg(_AGE_EXAMPLE))


def _age_on(born: date, today: date) -> int:
    """Whole years of age on today."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _age_range_error(age: int) -> Parsed[tuple[int | None, date | None]]:
    """The error for an age we cannot help with."""
    return Parsed(
        error=msg("dialogue.read.age.out_of_range", age=age, low=_MIN_AGE, high=_MAX_AGE)
        + " "
        + _ask()
    )


@never_raise(_AGE_EXAMPLE)
def parse_birth_or_age(text: str, *, today: date) -> Parsed[tuple[int | None, date | None]]:
    """Read an age ("45") as (45, None) or a birth date ("1980-05-02") as (None, date)."""
    s, err = prepare(text, msg(_AGE_EXAMPLE))
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    s = replace_number_words(strip_end(s))
    if m := _AGE_RE.fullmatch(s):
        age = int(m.group(1))
        if not _MIN_AGE <= age <= _MAX_AGE:
            return _age_range_error(age)
        return Parsed(value=(age, None))
    if m := _BARE_YEAR_RE.fullmatch(s):
        year = int(m.group(1))
        age = today.year - year
        if year > today.year or not _MIN_AGE <= age <= _MAX_AGE:
            return Parsed(error=msg("dialogue.read.age.not_birth_year") + " " + _ask())
        return Parsed(value=(age, None), confirm=msg("dialogue.read.age.turn_this_year", age=age))
    got, has_year = read_date(_BORN_RE.sub("", s), today, "past")
    if got.error is not None or got.value is None:
        return Parsed(error=msg("dialogue.read.unreadable") + " " + _ask())
    if not has_year:
        return Parsed(error=msg("dialogue.read.age.which_year") + " " + _ask())
    born = got.value
    if born > today:
        return Parsed(error=msg("dialogue.read.age.future") + " " + _ask())
    age = _age_on(born, today)
    if not _MIN_AGE <= age <= _MAX_AGE:
        return _age_range_error(age)
    return Parsed(value=(None, born), confirm=got.confirm)
