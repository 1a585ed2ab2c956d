"""Dates: "2027-03-01", "3/1/2027", "March 1", "tomorrow", "end of year"."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Literal

from bot.dialogue.readers.base import (
    Parsed,
    is_unknown,
    msg,
    never_raise,
    prepare,
    squash,
    strip_end,
)
from bot.dialogue.readers.number_words import replace_number_words
from engine.rules.dates import add_months

_DATE_EXAMPLE = "dialogue.read.date.example"


def _date_error() -> str:
    """A date that could not be read."""
    return msg("dialogue.read.date.unreadable", example=msg(_DATE_EXAMPLE))


def _no_such_date() -> str:
    """A date that does not exist (February 30)."""
    return msg("dialogue.read.date.no_such_date", example=msg(_DATE_EXAMPLE))


_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_RE = re.compile(
    r"\b(?:mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|friday"
    r"|sat|saturday|sun|sunday)\b\.?"
)
_ISO_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_US_RE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_US_NO_YEAR_RE = re.compile(r"(\d{1,2})/(\d{1,2})")
_MDY_RE = re.compile(rf"(?P<mon>{_MON})\.?\s*(?P<d>\d{{1,2}})(?:\s+(?P<y>\d{{4}}|'\d{{2}}))?")
_DMY_RE = re.compile(rf"(?P<d>\d{{1,2}})\s*(?P<mon>{_MON})\.?(?:\s+(?P<y>\d{{4}}|'\d{{2}}))?")
_MY_RE = re.compile(rf"(?P<mon>{_MON})\.?\s+(?P<y>\d{{4}})")
_IN_RE = re.compile(r"in (\d{1,4}) (days?|weeks?|months?|years?)")
_AGO_RE = re.compile(r"(\d{1,4}) (days?|weeks?|months?|years?) (ago|from now|from today)")
_MIN_YEAR, _MAX_YEAR = 1900, 2200


def fmt_date(d: date) -> str:
    """A date as a person writes it: March 1, 2027."""
    return msg(
        "dialogue.read.date.long", month=calendar.month_name[d.month], day=d.day, year=d.year
    )


def _month_end(d: date) -> date:
    """The last day of d's month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _shift(today: date, n: int, unit: str) -> date:
    """Move today by n days, weeks, months or years."""
    if unit.startswith("day"):
        return today + timedelta(days=n)
    if unit.startswith("week"):
        return today + timedelta(weeks=n)
    if unit.startswith("month"):
        return add_months(today, n)
    return add_months(today, 12 * n)


_DAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_DAY_WORD_RE = re.compile(r"(?:(last|next|this|past|coming)\s+)?(" + "|".join(_DAYS) + r")\.?")
_NTH_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
_MONTH_ONLY_RE = re.compile(rf"(?:back\s+)?(?:in\s+)?(?:early\s+|late\s+|mid\s+)?({_MON})\.?")


def _weekday(s: str, today: date, prefer: str) -> Parsed[date] | None:
    """ "last friday", "next monday", "friday": the day nearest in the direction meant."""
    m = _DAY_WORD_RE.fullmatch(s)
    if m is None:
        return None
    which, day = m.group(1), _DAYS[m.group(2)]
    back = (today.weekday() - day) % 7 or 7
    ahead = (day - today.weekday()) % 7 or 7
    if which in ("last", "past") or (which is None and prefer == "past"):
        return Parsed(value=today - timedelta(days=back))
    return Parsed(value=today + timedelta(days=ahead))


def _day_or_month(s: str, today: date, prefer: str) -> Parsed[date] | None:
    """ "the 15th" (this month's, or the nearest), "in March" (its 1st, confirmed)."""
    if m := _NTH_RE.fullmatch(s):
        day = int(m.group(1))
        candidates = []
        for shift in (-1, 0, 1):
            first = add_months(today.replace(day=1), shift)
            try:
                candidates.append(first.replace(day=day))
            except ValueError:
                continue
        if prefer == "past":
            candidates = [c for c in candidates if c <= today]
        elif prefer == "future":
            candidates = [c for c in candidates if c >= today]
        if not candidates:
            return Parsed(error=_no_such_date())
        return Parsed(value=min(candidates, key=lambda c: abs((c - today).days)))
    if m := _MONTH_ONLY_RE.fullmatch(s):
        found = _nearest(_MONTHS[m.group(1)], 1, today, prefer)
        if found is None:
            return Parsed(error=_no_such_date())
        return Parsed(
            value=found, confirm=msg("dialogue.read.date.month_first", date=fmt_date(found))
        )
    return None


def _relative(s: str, today: date) -> Parsed[date] | None:
    """Words like "today", "tomorrow", "end of year", "in 2 weeks"; None when not relative."""
    s = re.sub(r"^(?:on|by|at|it'?s|it is)\s+", "", s)
    s = re.sub(r"\bthe\b", "", s)
    s = re.sub(r"\ban? (day|week|month|year)\b", r"1 \1", replace_number_words(s))
    s = squash(s)
    fixed: dict[str, date] = {
        "today": today,
        "now": today,
        "right now": today,
        "tonight": today,
        "this morning": today,
        "tomorrow": today + timedelta(days=1),
        "yesterday": today - timedelta(days=1),
        "day after tomorrow": today + timedelta(days=2),
        "day before yesterday": today - timedelta(days=2),
        "end of month": _month_end(today),
        "end of this month": _month_end(today),
        "month end": _month_end(today),
        "end of next month": _month_end(add_months(today.replace(day=1), 1)),
        "start of next month": add_months(today.replace(day=1), 1),
        "beginning of next month": add_months(today.replace(day=1), 1),
        "first of next month": add_months(today.replace(day=1), 1),
        "1st of next month": add_months(today.replace(day=1), 1),
        "end of year": date(today.year, 12, 31),
        "end of this year": date(today.year, 12, 31),
        "year end": date(today.year, 12, 31),
        "year-end": date(today.year, 12, 31),
    }
    if s in fixed:
        return Parsed(value=fixed[s])
    vague: dict[str, tuple[date, str]] = {
        "next week": (today + timedelta(days=7), "next_week"),
        "next month": (add_months(today.replace(day=1), 1), "next_month"),
        "next year": (date(today.year + 1, 1, 1), "next_year"),
    }
    if s in vague:
        d, words = vague[s]
        return Parsed(value=d, confirm=msg(f"dialogue.read.date.{words}", date=fmt_date(d)))
    m = _IN_RE.fullmatch(s)
    if m:
        return Parsed(value=_shift(today, int(m.group(1)), m.group(2)))
    m = _AGO_RE.fullmatch(s)
    if m:
        sign = -1 if m.group(3) == "ago" else 1
        return Parsed(value=_shift(today, sign * int(m.group(1)), m.group(2)))
    return None


def _two_digit_year(yy: int, today: date, prefer: str) -> int:
    """Expand "27" to 2027 and "80" to 1980."""
    year = 2000 + yy
    if prefer == "past":
        return year if year <= today.year else year - 100
    return year if year <= today.year + 50 else year - 100


def _nearest(month: int, day: int, today: date, prefer: str) -> date | None:
    """The month/day nearest to today in the preferred direction."""
    candidates: list[date] = []
    for year in range(today.year - 8, today.year + 9):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    future = [c for c in candidates if c >= today]
    past = [c for c in candidates if c <= today]
    if prefer == "future":
        return min(future) if future else None
    if prefer == "past":
        return max(past) if past else None
    return min(candidates, key=lambda c: (abs((c - today).days), c < today))


def read_date(s: str, today: date, prefer: str) -> tuple[Parsed[date], bool]:
    """Read a cleaned date answer; also say whether the person gave a year."""
    s = strip_end(s)
    try:
        rel = _relative(s, today)
    except (ValueError, OverflowError):
        return Parsed(error=_date_error()), True
    if rel is not None:
        if rel.value is not None and not _MIN_YEAR <= rel.value.year <= _MAX_YEAR:
            return Parsed(error=_date_error()), True
        return rel, True
    bare = squash(re.sub(r"^(?:on|by|at|the)\s+|\s*\bthe\b\s*", " ", s))
    for words in (_weekday(bare, today, prefer), _day_or_month(bare, today, prefer)):
        if words is not None:
            return words, True
    s = _WEEKDAY_RE.sub(" ", s)
    s = s.replace(",", " ")
    s = re.sub(r"\b(?:the|of|on|by)\b", " ", s)
    s = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", s)
    s = squash(s)
    year: int | None
    question: str | None = None
    if m := _ISO_RE.fullmatch(s):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _US_RE.fullmatch(s):
        month, day, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(y) if len(y) == 4 else _two_digit_year(int(y), today, prefer)
        if month > 12 and 0 < day <= 12:
            month, day = day, month
            try:
                question = msg(
                    "dialogue.read.date.did_you_mean", date=fmt_date(date(year, month, day))
                )
            except ValueError:
                return Parsed(error=_no_such_date()), True
    elif m := _US_NO_YEAR_RE.fullmatch(s):
        month, day, year = int(m.group(1)), int(m.group(2)), None
    elif (m := _MDY_RE.fullmatch(s)) or (m := _DMY_RE.fullmatch(s)):
        month, day, y = _MONTHS[m.group("mon")], int(m.group("d")), m.group("y")
        if y is None:
            year = None
        elif y.startswith("'"):
            year = _two_digit_year(int(y[1:]), today, prefer)
        else:
            year = int(y)
    elif m := _MY_RE.fullmatch(s):
        year = int(m.group("y"))
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return Parsed(
                error=msg("dialogue.read.date.bad_year", example=msg(_DATE_EXAMPLE))
            ), True
        first = date(year, _MONTHS[m.group("mon")], 1)
        return Parsed(
            value=first, confirm=msg("dialogue.read.date.month_first", date=fmt_date(first))
        ), True
    else:
        return Parsed(error=_date_error()), False
    if year is None:
        found = _nearest(month, day, today, prefer)
        if found is None:
            return Parsed(error=_no_such_date()), False
        return Parsed(value=found), False
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return Parsed(error=msg("dialogue.read.date.bad_year", example=msg(_DATE_EXAMPLE))), True
    try:
        return Parsed(value=date(year, month, day), confirm=question), True
    except ValueError:
        return Parsed(error=_no_such_date()), True


@never_raise(_DATE_EXAMPLE)
def parse_date(
    text: str, *, today: date, prefer: Literal["future", "past", "any"] = "any"
) -> Parsed[date]:
    """Read a date: "2027-03-01", "3/1/2027", "March 1", "tomorrow", "end of year"."""
    s, err = prepare(text, msg(_DATE_EXAMPLE))
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    return read_date(s, today, prefer)[0]
