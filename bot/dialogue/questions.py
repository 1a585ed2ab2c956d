"""The questions: what each path asks, in the order a person thinks, and how answers are read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bot.dialogue import parsing as pr
from bot.render import money
from engine import SUPPORTED_YEARS
from engine import parameters as params

Answers = dict[str, Any]

GOALS: list[tuple[str, str]] = [
    ("job_change", "I'm changing jobs"),
    ("loan", "A 401(k) loan"),
    ("withdrawal", "An early withdrawal"),
    ("saving", "Am I saving right?"),
]

SCHEDULES: list[tuple[str, str]] = [
    ("immediate", "All of it is vested"),
    ("cliff3", "3-year cliff"),
    ("graded6", "20% a year (2-6 year graded)"),
    ("unknown", "Not sure"),
]

YES_NO_UNSURE: list[tuple[str, str]] = [("yes", "Yes"), ("no", "No"), ("unknown", "Not sure")]
FILING: list[tuple[str, str]] = [("single", "Single"), ("married_joint", "Married filing jointly")]
EMPLOYMENT: list[tuple[str, str]] = [
    ("staying", "I still work there"),
    ("leaving", "I left or am leaving"),
]
MATCHES: list[tuple[str, str]] = [
    ("100x3+50x2", "100% of 3% + 50% of next 2%"),
    ("50x6", "50% up to 6%"),
    ("100x4", "100% up to 4%"),
    ("100x6", "100% up to 6%"),
    ("none", "No match"),
]
MATCH_TIERS: dict[str, list[tuple[int, int]]] = {
    "100x3+50x2": [(100, 3), (50, 2)],
    "50x6": [(50, 6)],
    "100x4": [(100, 4)],
    "100x6": [(100, 6)],
    "none": [],
}


@dataclass(frozen=True)
class Question:
    """One question: its text, how to read the answer, and when it applies."""

    key: str
    text: str
    example: str
    read: Callable[[str, date], pr.Parsed[Any]]
    choices: list[tuple[str, str]] = field(default_factory=list)
    applies: Callable[[Answers], bool] = lambda a: True
    unknown_default: Any = None
    unknown_note: str | None = None
    show: Callable[[Any], str] = str


def _money(kind: str) -> Callable[[str, date], pr.Parsed[Any]]:
    return lambda text, today: pr.parse_money(text, kind=kind)


def _choice(options: list[tuple[str, str]]) -> Callable[[str, date], pr.Parsed[Any]]:
    return lambda text, today: pr.parse_choice(text, options)


def _yes_no_unsure(text: str, today: date) -> pr.Parsed[Any]:
    picked = pr.parse_choice(text, YES_NO_UNSURE)
    if picked.ok:
        return picked
    yn = pr.parse_yes_no(text)
    if yn.unknown:
        return pr.Parsed(value="unknown")
    if yn.ok:
        return pr.Parsed(value="yes" if yn.value else "no")
    return picked


def _year(text: str, today: date) -> pr.Parsed[Any]:
    """A calendar year such as 2019 (designated Roth accounts exist since 2006)."""
    t = text.strip()
    if pr.parse_yes_no(t).unknown:
        return pr.Parsed(unknown=True)
    if t.isdigit() and len(t) == 4:
        y = int(t)
        if 2006 <= y <= today.year:
            return pr.Parsed(value=y)
        return pr.Parsed(error=f"Please give a year from 2006 to {today.year}.")
    d = pr.parse_date(t, today=today, prefer="past")
    if d.ok and d.value is not None:
        return pr.Parsed(value=d.value.year)
    if d.unknown:
        return pr.Parsed(unknown=True)
    return pr.Parsed(error="Please give the year, for example 2019.")


def _filing(text: str, today: date) -> pr.Parsed[Any]:
    picked = pr.parse_choice(text, FILING)
    return picked if picked.ok else pr.parse_filing_status(text)


def _match(text: str, today: date) -> pr.Parsed[Any]:
    picked = pr.parse_choice(text, MATCHES)
    if picked.ok and picked.value is not None:
        tiers = MATCH_TIERS[picked.value]
        return pr.Parsed(value=[[str(m), str(o)] for m, o in tiers])
    parsed = pr.parse_match(text)
    if parsed.value is not None:
        value = [[str(m), str(o)] for m, o in parsed.value]
        return pr.Parsed(value=value, confirm=parsed.confirm, error=parsed.error)
    return parsed


def usd(value: Any) -> str:
    """Dollars as a person writes them (stored answers are strings of Decimal)."""
    return money(Decimal(str(value)))


def _pct(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}%"


def _date(value: Any) -> str:
    d = date.fromisoformat(value)
    return f"{d:%B} {d.day}, {d.year}"


def _roth_catch_up_threshold(a: Answers) -> Decimal:
    """The year's prior-year wage threshold of the Roth catch-up rule (IRC 414(v)(7))."""
    year = int(a.get("tax_year", max(SUPPORTED_YEARS)))
    return params.amount("roth_catch_up_wage_threshold", year)


def _age_at_least(a: Answers, years: int) -> bool:
    return int(a.get("age_at_year_end", 0)) >= years


def _has_employer(a: Answers) -> bool:
    return (
        a.get("path") in ("job_change", "loan", "withdrawal")
        and Decimal(a.get("employer") or 0) > 0
    )


def _leaving(a: Answers) -> bool:
    return a.get("path") == "job_change" or a.get("employment") == "leaving"


def _path(*paths: str) -> Callable[[Answers], bool]:
    return lambda a: a.get("path") in paths


def _age_view(value: Any) -> str:
    age, birth = value
    return f"{age}" if birth is None else f"born {_date(birth)}"


ACCOUNT = ("job_change", "loan", "withdrawal")

QUESTIONS: list[Question] = [
    Question(
        "age",
        "How old are you? (Your birth date gives exact dates, e.g. 1980-05-02.)",
        "45, or 1980-05-02",
        lambda t, d: pr.parse_birth_or_age(t, today=d),
        show=_age_view,
    ),
    Question(
        "salary",
        "What is your yearly pay from this employer, before taxes?",
        "$85,000 or 85k",
        _money("salary"),
        show=usd,
    ),
    Question(
        "balance",
        "How much is in your 401(k) at this employer today (not counting any loan)?",
        "$60,000",
        _money("balance"),
        applies=_path(*ACCOUNT),
        show=usd,
    ),
    Question(
        "employer",
        "How much of that came from your employer (match or profit sharing)?",
        "$12,000, or 'none'",
        _money("balance"),
        applies=_path(*ACCOUNT),
        unknown_default="0",
        unknown_note="I'll treat it all as your own money, which is always 100% vested. "
        "Your statement's 'vested balance' tells you for sure.",
        show=usd,
    ),
    Question(
        "schedule",
        "How does your employer's money vest (become yours to keep)?",
        "tap a button",
        _choice(SCHEDULES),
        choices=SCHEDULES,
        applies=_has_employer,
        unknown_default="unknown",
        show=lambda v: dict(SCHEDULES)[v],
    ),
    Question(
        "start_date",
        "When did you start working there? (It counts your years of vesting service.)",
        "2023-03-01 or March 1, 2023",
        lambda t, d: pr.parse_date(t, today=d, prefer="past"),
        applies=lambda a: _has_employer(a) and a.get("schedule") in ("cliff3", "graded6"),
        show=_date,
    ),
    Question(
        "loan",
        "Do you owe anything on a 401(k) loan? How much?",
        "$8,000, or 'none'",
        _money("loan"),
        applies=_path(*ACCOUNT),
        unknown_default="0",
        unknown_note="I'll assume there is no loan.",
        show=usd,
    ),
    Question(
        "employment",
        "Do you still work for this employer?",
        "tap a button",
        _choice(EMPLOYMENT),
        choices=EMPLOYMENT,
        applies=_path("withdrawal"),
        show=lambda v: dict(EMPLOYMENT)[v],
    ),
    Question(
        "leaving_date",
        "What is (or was) your last day at this job?",
        "2026-12-15, December 15, or 'today'",
        lambda t, d: pr.parse_date(t, today=d, prefer="any"),
        applies=_leaving,
        unknown_default="today",
        unknown_note="I'll use today's date.",
        show=_date,
    ),
    Question(
        "contribution",
        "What percent of your pay do you put in your 401(k)?",
        "6%",
        lambda t, d: pr.parse_percent(t),
        applies=_path("saving"),
        show=_pct,
    ),
    Question(
        "match",
        "How does your employer match? Tap one or type it, e.g. '50% up to 6%'.",
        "50% up to 6%",
        _match,
        choices=MATCHES,
        applies=_path("saving"),
        unknown_default=[],
        unknown_note="I'll leave the match out.",
        show=lambda v: (
            "none" if not v else " + ".join(f"{m}% of the next {o}% of pay" for m, o in v)
        ),
    ),
    Question(
        "prior_wages",
        "Last year's Social Security wages from this employer (W-2 box 3)? Above a yearly "
        "threshold, catch-ups must be Roth.",
        "$160,000",
        _money("salary"),
        applies=lambda a: (
            a.get("path") == "saving"
            and _age_at_least(a, 50)
            and Decimal(a.get("salary") or 0) > _roth_catch_up_threshold(a) * Decimal("0.9")
        ),
        unknown_default=None,
        show=usd,
    ),
    Question(
        "filing",
        "How do you file your taxes?",
        "tap a button",
        _filing,
        choices=FILING,
        applies=_path(*ACCOUNT),
        unknown_default="single",
        unknown_note="I'll use single.",
        show=lambda v: dict(FILING)[v],
    ),
]

# Asked after the first answer, to sharpen it; each may be skipped.
FOLLOW_UPS: list[Question] = [
    Question(
        "new_plan",
        "One more thing sharpens this: will your new employer's plan accept a rollover?",
        "tap a button",
        _yes_no_unsure,
        choices=YES_NO_UNSURE,
        applies=_path("job_change"),
        unknown_default="unknown",
        show=lambda v: dict(YES_NO_UNSURE)[v],
    ),
    Question(
        "roth",
        "Is any of your balance Roth 401(k) money (taxed when it went in)? How much?",
        "$10,000, or 'none'",
        _money("balance"),
        applies=_path("job_change", "withdrawal"),
        unknown_default="0",
        unknown_note="I'll treat it all as pre-tax money.",
        show=usd,
    ),
    Question(
        "roth_year",
        "What year did you first put Roth money into this plan? (It starts the 5-year clock.)",
        "2019",
        _year,
        applies=lambda a: (
            a.get("path") in ("job_change", "withdrawal") and Decimal(a.get("roth") or 0) > 0
        ),
        unknown_default="skip",
        unknown_note="I'll leave the 5-year clock open.",
        show=str,
    ),
    Question(
        "state_tax",
        "Your state's income tax rate, if you know it (0 if none)?",
        "5%, or 0",
        lambda t, d: pr.parse_percent(t, maximum=Decimal(20)),
        applies=_path(*ACCOUNT),
        unknown_default="0",
        unknown_note="I'll leave state tax out.",
        show=_pct,
    ),
]

BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS + FOLLOW_UPS}
