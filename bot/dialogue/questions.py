"""The question table: per question its reader, check, when it is asked, wording key, choices.

Nothing about a single question lives outside this table: the machine asks, reads, checks and
stores through these fields only. Words are in templates/messages.toml under
[dialogue.question.<key>]; legal numbers come from the engine's parameters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any, Literal, get_args

from pydantic import JsonValue

from bot.dialogue import readers as rd
from bot.dialogue.readers.base import fmt_num, tidy
from bot.dialogue.readers.dates import fmt_date
from bot.dialogue.readers.match import plan_tiers
from bot.dialogue.readers.number_words import replace_number_words
from bot.dialogue.readers.share import parse_percent_of, parse_share
from bot.dialogue.replies import Choice, plain
from bot.dialogue.state import Answers
from bot.render import money
from bot.wording import has, say
from engine import parameters as params
from engine.profile import Assumptions, ExceptionClaim, HardshipReason
from engine.rules.contributions import catch_up_kind, catch_up_limit
from engine.rules.rmd import rmd_first_year, rmd_start_age

TODAY = "today"  # an unknown_default meaning "the date of the conversation"
PLAN_WINDOW = timedelta(days=366)  # how far ahead a last day can be planned
# The longest home-loan term the dialogue accepts: a plausibility bound, not law (the law sets
# no term for a loan to buy the main home, IRC 72(p)(2)(B)(ii)).
MAX_LOAN_YEARS = 30
EARLIEST_START = date(1950, 1, 1)  # a plausibility bound for a start date, not law
MAX_CHILDREN = 12  # a plausibility bound for births and adoptions in one year, not law
NEAR_THRESHOLD = Decimal("0.9")  # ask for last year's wages when pay is this close to the line
MAX_FEE_PERCENT = Decimal(10)  # the engine's bound on a yearly fee (engine.profile.Fees)
# The ages the engine takes for Social Security to start (engine.profile.Retirement).
CLAIM_AGES = (50, 100)
MAX_RETIREMENT_AGE = 100  # the engine's bound on a retirement age (engine.profile.Assumptions)
DEFAULTS = Assumptions()  # the engine's stated assumptions (return, retirement age)
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Asking:
    """What a reader or a check may know: today, the tax year and the answers so far."""

    today: date
    tax_year: int
    answers: Answers


Reader = Callable[[str, Asking], rd.Parsed[JsonValue]]
Check = Callable[[JsonValue, Asking], str | None]
When = Callable[[Answers], bool]
Options = Callable[[int], tuple[Choice, ...]]


def _always(a: Answers) -> bool:
    """Asked on every path."""
    return True


def _never(a: Answers) -> bool:
    """Never."""
    return False


def _no_check(value: JsonValue, ask: Asking) -> str | None:
    """Nothing to check beyond the reader."""
    return None


def _no_options(year: int) -> tuple[Choice, ...]:
    """No buttons: the answer is typed."""
    return ()


def _nothing_more(value: JsonValue, ask: Asking) -> Answers:
    """No answers follow from this one."""
    return {}


def _no_values(year: int) -> dict[str, str]:
    """The wording needs no computed number."""
    return {}


@dataclass(frozen=True)
class Question:
    """One question and everything about it (wording in [dialogue.question.<key>])."""

    key: str
    read: Reader
    show: Callable[[JsonValue], str]
    check: Check = _no_check
    asked_when: When = _always
    options: Options = _no_options
    unknown_default: JsonValue = None  # the answer for "I don't know"; None: must be answered
    follow_up: bool = False  # asked after the first answer, to sharpen it
    # Not asked on these paths: unknown_default is assumed, stated, and /edit-able there.
    assumed_when: When = _never
    skip_button: bool = False  # offers a Skip button (a follow-up takes "skip" typed anyway)
    counted_as: JsonValue = None  # assumed while unanswered, to count "Question N of M"
    derive: Callable[[JsonValue, Asking], Answers] = _nothing_more  # answers that follow
    values: Callable[[int], dict[str, str]] = _no_values  # numbers its wording needs, by year

    @property
    def wording(self) -> str:
        """The message table of this question."""
        return f"dialogue.question.{self.key}"

    def text(self, year: int) -> str:
        """The question as asked."""
        return say(f"{self.wording}.text", tax_year=year, **self.values(year))

    def example(self, year: int) -> str:
        """An example answer, for a re-ask."""
        return say(f"{self.wording}.example", tax_year=year, **self.values(year))

    def unknown_note(self, year: int) -> str:
        """What the answer "I don't know" is taken as, said back; empty when nothing."""
        key = f"{self.wording}.unknown"
        return say(key, tax_year=year, **self.values(year)) if has(key) else ""

    def choices(self, year: int) -> tuple[Choice, ...]:
        """The buttons offered with the question."""
        return self.options(year)

    def take(self, typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read and check one answer in one pass: a JSON value, a doubt, a re-ask, or unknown."""
        parsed = self.read(typed, ask)
        if parsed.unknown:
            return rd.Parsed(unknown=True)
        if parsed.error is not None or parsed.value is None:
            return rd.Parsed(error=str(parsed.error) if parsed.error else None)
        problem = self.check(parsed.value, ask)
        if problem is not None:
            return rd.Parsed(error=str(problem))
        confirm = str(parsed.confirm) if parsed.confirm else None
        return rd.Parsed(value=parsed.value, confirm=confirm)


# --------------------------------------------------------------------------- choices


def _labelled(table: str, keys: tuple[str, ...]) -> Options:
    """Choices whose labels are the messages [dialogue.choice.<table>]."""
    return lambda year: tuple(Choice(k, plain(f"dialogue.choice.{table}.{k}")) for k in keys)


GOALS = _labelled("goal", ("job_change", "loan", "withdrawal", "saving", "retiring"))
YES_NO_UNSURE = _labelled("yes_no_unsure", ("yes", "no", "unknown"))
FILING = _labelled("filing", ("single", "married_joint", "married_separate", "head_of_household"))
PUBLIC_SAFETY = _labelled("public_safety", ("no", "yes", "yes_25", "unknown"))
EMPLOYMENT = _labelled("employment", ("staying", "leaving"))
# The engine's own codes: the safe-harbor hardship needs (then "none"), and the 72(t)
# situations a person can claim for a one-off withdrawal (SEPP is a series, not a pick).
REASONS = _labelled("reason", (*(r for r in get_args(HardshipReason) if r != "none"), "none"))
SITUATIONS = _labelled("situation", ("none", *(c for c in get_args(ExceptionClaim) if c != "sepp")))
LOAN_PURPOSES = _labelled("loan_purpose", ("general", "residence"))
PAY_FREQUENCIES = _labelled("pay_frequency", ("52", "26", "24", "12"))


def _vesting(year: int) -> tuple[Choice, ...]:
    """The vesting schedules, described from the law's slowest schedules of the year."""
    table = params.get("vesting_schedules", year)
    cliff, graded = table["cliff3"], table["graded6"]
    first = next(i for i, v in enumerate(graded) if v > 0)
    return (
        Choice("immediate", plain("dialogue.choice.vesting.immediate")),
        Choice("cliff3", plain("dialogue.choice.vesting.cliff3", years=len(cliff) - 1)),
        Choice(
            "graded6",
            plain(
                "dialogue.choice.vesting.graded6",
                step=fmt_num(graded[first]),
                first=first,
                last=len(graded) - 1,
            ),
        ),
        Choice("unknown", plain("dialogue.choice.vesting.unknown")),
    )


SCHEDULES = _vesting


def _own_money_vested(year: int) -> dict[str, str]:
    """The vested percent of a person's own deferrals: always full (IRC 411(a)(1))."""
    (full,) = params.get("vesting_schedules", year)["immediate"]
    return {"vested": fmt_num(full)}


# Common plan formulas (plan designs, not law) and the safe harbor basic match (law).
_PRESETS: dict[str, list[tuple[int, int]]] = {
    "50x6": [(50, 6)],
    "100x4": [(100, 4)],
    "100x6": [(100, 6)],
}


def _match_tiers(key: str, year: int) -> list[list[str]]:
    """The tiers of a match button, as stored: [[match %, on % of pay], ...]."""
    if key == "safe_harbor":
        return [[str(m), str(p)] for m, p in plan_tiers("safe_harbor_basic_match", year)]
    return [[str(m), str(p)] for m, p in _PRESETS.get(key, [])]


def _matches(year: int) -> tuple[Choice, ...]:
    """The match buttons: the safe harbor basic match, common formulas, and none."""
    (m1, p1), (m2, p2) = plan_tiers("safe_harbor_basic_match", year)
    basic = plain(
        "dialogue.choice.match.safe_harbor",
        m1=fmt_num(m1),
        p1=fmt_num(p1),
        m2=fmt_num(m2),
        p2=fmt_num(p2),
    )
    rest = [Choice(k, plain(f"dialogue.choice.match.{k}")) for k in (*_PRESETS, "none")]
    return (Choice("safe_harbor", basic), *rest)


# --------------------------------------------------------------------------- readers


def _money(kind: str) -> Reader:
    """A dollar amount, stored as a string of the Decimal."""

    def read(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read one answer."""
        return _json(rd.parse_money(typed, kind=kind))

    return read


def _part_of(whole_key: str, kind: str = "balance") -> Reader:
    """Dollars that are part of an earlier answer, or a share of it ("half"), confirmed."""
    money_reader = _money(kind)

    def read(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read one answer."""
        named = parse_share(typed)
        percent = parse_percent_of(typed).value
        if named.value is not None:
            share, word = named.value
            said = say(f"dialogue.read.share.word.{word}")
        elif percent is not None:
            shown = Decimal(percent.numerator * 100) / percent.denominator
            share, said = percent, say("dialogue.read.share.percent_of", percent=shown)
        else:
            return money_reader(typed, ask)
        whole = ask.answers.get(whole_key)
        if whole in (None, "skip"):
            example = say("dialogue.read.money.example")
            return rd.Parsed(error=say("dialogue.read.share.of_what", share=said, example=example))
        amount = (Decimal(str(whole)) * share.numerator / share.denominator).quantize(
            CENTS, rounding=ROUND_HALF_UP
        )
        question = say(
            "dialogue.read.share.of_whole", share=said, whole=usd(whole), amount=usd(str(amount))
        )
        return rd.Parsed(value=str(tidy(amount)), confirm=question)

    return read


def _share_percent(maximum: Decimal = Decimal(100)) -> Reader:
    """A percent, or a share in words ("half" is 50%, confirmed)."""
    percent_reader = _percent(maximum)

    def read(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read one answer."""
        named = parse_share(typed)
        if named.value is None:
            return percent_reader(typed, ask)
        share, word = named.value
        value = (Decimal(100) * share.numerator / share.denominator).quantize(
            CENTS, rounding=ROUND_HALF_UP
        )
        shown = _pct(str(tidy(value)))
        said = say(f"dialogue.read.share.word.{word}")
        question = say("dialogue.read.share.percent", share=said, percent=shown)
        return rd.Parsed(value=str(tidy(value)), confirm=question)

    return read


_MAX_WORDS = re.compile(
    r"^\s*(?:the\s+)?(?:max(?:imum)?|limit|most(?:\s+i\s+can)?|max\s+out|maxed(?:\s+out)?"
    r"|as\s+much\s+as\s+(?:i\s+can|allowed|possible))(?:\s+allowed)?\s*[.!]*\s*$",
    re.I,
)


def _contribution(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """A percent of pay; "the max" is the limit for the age (IRC 402(g), 414(v)), confirmed."""
    if not _MAX_WORDS.match(typed):
        return _share_percent()(typed, ask)
    law = params.DEFAULT.of_year(ask.tax_year)
    salary = Decimal(str(ask.answers.get("salary") or 0))
    if salary <= 0:
        example = say("dialogue.question.contribution.example")
        return rd.Parsed(error=say("dialogue.read.max.no_pay", example=example))
    age = ask.answers.get("age_at_year_end")
    kind = catch_up_kind(age, law, True, True) if isinstance(age, int) else "none"
    limit = law.amount("deferral_402g") + catch_up_limit(kind, law)
    pay = min(salary, law.amount("compensation_401a17"))
    share = min(Decimal(100), (limit * 100 / pay).quantize(CENTS, rounding=ROUND_CEILING))
    percent = str(tidy(share))
    question = say(
        "dialogue.read.max.contribution",
        tax_year=ask.tax_year,
        limit=usd(str(limit)),
        percent=_pct(percent),
        pay=usd(str(salary)),
    )
    return rd.Parsed(value=percent, confirm=question)


def _json(parsed: rd.Parsed[Any]) -> rd.Parsed[JsonValue]:
    """The parsed value as it is stored (Decimals and dates as strings, tuples as lists)."""
    if parsed.value is None:
        return rd.Parsed(confirm=parsed.confirm, error=parsed.error, unknown=parsed.unknown)
    return rd.Parsed(value=_jsonable(parsed.value), confirm=parsed.confirm, error=parsed.error)


def _jsonable(value: Any) -> JsonValue:
    """Decimals and dates as strings; tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    raise TypeError(f"an answer of type {type(value).__name__} cannot be stored")


def _choice(options: Options) -> Reader:
    """One of the question's buttons, by number or words."""

    def read(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read one answer."""
        return _json(rd.parse_choice(typed, options(ask.tax_year)))

    return read


_HAS_NO = re.compile(
    r"\b(?:does\s*n[o']?t|does not|doesnt|do not|don'?t|has no|have no|no)\s+"
    r"(?:have|offer|take|accept)?\s*(?:a\s+|any\s+)?"
    r"(?:401\s*\(?k\)?|plan|rollovers?|roll-?ins?|employer stock|after-tax)",
    re.I,
)


def _yes_no_unsure(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """Yes, no or not sure, by button or in words ("my new job doesn't have a 401k": no)."""
    picked = rd.parse_choice(typed, YES_NO_UNSURE(ask.tax_year))
    if picked.ok:
        return _json(picked)
    if _HAS_NO.search(typed):
        return rd.Parsed(value="no")
    yn = rd.parse_yes_no(typed)
    if yn.unknown:
        return rd.Parsed(value="unknown")
    if yn.ok:
        return rd.Parsed(value="yes" if yn.value else "no")
    return _json(picked)


def _roth_year(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """A calendar year such as 2019, not before designated Roth accounts existed (IRC 402A)."""
    t = typed.strip()
    first = int(params.amount("designated_roth_first_year", ask.tax_year))
    if rd.parse_yes_no(t).unknown:
        return rd.Parsed(unknown=True)
    if t.isdigit() and len(t) == 4:
        y = int(t)
        if first <= y <= ask.today.year:
            return rd.Parsed(value=y)
        return rd.Parsed(
            error=say("dialogue.question.roth_year.range", first=first, last=ask.today.year)
        )
    d = rd.parse_date(t, today=ask.today, prefer="past")
    if d.ok and d.value is not None:
        return rd.Parsed(value=d.value.year)
    if d.unknown:
        return rd.Parsed(unknown=True)
    return rd.Parsed(error=say("dialogue.question.roth_year.ask"))


def _filing(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """A button, else the filing status in words."""
    picked = rd.parse_choice(typed, FILING(ask.tax_year))
    return _json(picked if picked.ok else rd.parse_filing_status(typed))


def _match(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """A match button, else the formula in words."""
    picked = rd.parse_choice(typed, _matches(ask.tax_year))
    if picked.ok and picked.value is not None:
        return rd.Parsed(value=_jsonable(_match_tiers(picked.value, ask.tax_year)))
    return _json(rd.parse_match(typed, tax_year=ask.tax_year))


_AGE_FIRST = re.compile(r"^\s*(\d{1,3})\s*(?:years?\s*old|yrs?\s*old|y/?o)?\s*[,;:.\-]\s+\S")


def _age(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """An age or a birth date, stored as [age, None] or [None, "YYYY-MM-DD"]; "52, I'm..." too."""
    parsed = rd.parse_birth_or_age(typed, today=ask.today)
    lead = _AGE_FIRST.match(typed)
    if parsed.error is not None and lead is not None:
        parsed = rd.parse_birth_or_age(lead.group(1), today=ask.today)
    return _json(parsed)


_WHOLE_AGE = re.compile(r"^\s*(?:at\s+)?(\d{2,3})(?:\s*(?:years?\s*old|yo))?\s*\.?\s*$", re.I)


def _whole_age(typed: str, low: int, high: int) -> int | None:
    """A whole age typed as "67", "at 67" or "67 years old", within [low, high]; else None."""
    m = _WHOLE_AGE.match(typed)
    return int(m.group(1)) if m and low <= int(m.group(1)) <= high else None


def _claiming_age(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """The age Social Security starts: a whole age, e.g. 67 (bounded as the engine takes it)."""
    if rd.parse_yes_no(typed).unknown:
        return rd.Parsed(unknown=True)
    age = _whole_age(typed, *CLAIM_AGES)
    if age is not None:
        return rd.Parsed(value=age)
    return rd.Parsed(
        error=say("dialogue.question.ss_age.ask", low=CLAIM_AGES[0], high=CLAIM_AGES[1])
    )


def _retirement_age(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """The age the person plans to stop work: a whole age above today's, e.g. 65."""
    if rd.parse_yes_no(typed).unknown:
        return rd.Parsed(unknown=True)
    now = ask.answers.get("age_at_year_end")
    low = now if isinstance(now, int) else 30
    if re.fullmatch(r"\s*(?:now|already|i'?m retired|retired|this year)\s*\.?\s*", typed, re.I):
        return rd.Parsed(value=low)
    age = _whole_age(typed, low, MAX_RETIREMENT_AGE)
    if age is not None:
        return rd.Parsed(value=age)
    return rd.Parsed(error=say("dialogue.question.retirement_age.ask", low=low))


def _date(prefer: Literal["future", "past", "any"]) -> Reader:
    """A date, stored as YYYY-MM-DD."""

    def read(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read one answer."""
        return _json(rd.parse_date(typed, today=ask.today, prefer=prefer))

    return read


def _last_day(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """The last day at work; one in a later year than today is confirmed (its tax year differs)."""
    parsed = _json(rd.parse_date(typed, today=ask.today, prefer="any"))
    if parsed.value is None or parsed.confirm:
        return parsed
    day = date.fromisoformat(str(parsed.value))
    if day.year > ask.today.year:
        shown = _long_date(parsed.value)
        question = say("dialogue.question.leaving_date.next_year", date=shown, year=day.year)
        return rd.Parsed(value=parsed.value, confirm=question)
    return parsed


_NET_WORDS = re.compile(
    r"\b(?:in\s+hand|in\s+my\s+pocket|net|after\s+tax(?:es)?|take[- ]home|to\s+keep)\b", re.I
)
_AMOUNT = re.compile(r"\$?\s*\d[\d,]*(?:\.\d+)?\s*(?:k|thousand|grand|m|million)?\b", re.I)


def _withdrawal_amount(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """A gross amount ("10k") or the cash needed in hand ("8,000 in hand"): [amount, kind]."""
    net = _NET_WORDS.search(typed) is not None
    found = _AMOUNT.search(_NET_WORDS.sub(" ", typed))
    parsed = rd.parse_money(found.group(0) if found else typed, kind="amount")
    if parsed.value is None:
        return _json(parsed)
    return rd.Parsed(value=[str(parsed.value), "net" if net else "gross"], confirm=parsed.confirm)


_YEARS = re.compile(r"^\s*(\d{1,2})(?:\s*(?:years?|yrs?|y))?\s*\.?\s*$", re.I)


_COUNT = re.compile(r"^\s*(\d{1,2})(?:\s*(?:children|kids?|babies|twins))?\s*\.?\s*$", re.I)


def _children(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """How many children were born or adopted: 1, "two", "twins"."""
    t = replace_number_words(typed.lower()).strip()
    if t in ("twins", "twin"):
        return rd.Parsed(value=2)
    m = _COUNT.match(t)
    if m and 1 <= int(m.group(1)) <= MAX_CHILDREN:
        return rd.Parsed(value=int(m.group(1)))
    return rd.Parsed(error=say("dialogue.question.children.ask", most=MAX_CHILDREN))


def _loan_years(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """Whole years to repay a home loan, e.g. 15 or "15 years"."""
    if rd.parse_yes_no(typed).unknown:
        return rd.Parsed(unknown=True)
    m = _YEARS.match(replace_number_words(typed.lower()))
    if m and 1 <= int(m.group(1)) <= MAX_LOAN_YEARS:
        return rd.Parsed(value=int(m.group(1)))
    return rd.Parsed(error=say("dialogue.question.loan_years.ask", most=MAX_LOAN_YEARS))


def _fee(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
    """A yearly fee in percent, small numbers as typed: "0.05" is 0.05% (fees are that small)."""
    return _json(rd.parse_percent(typed, maximum=MAX_FEE_PERCENT, as_typed=True))


def _percent(maximum: Decimal | None = None) -> Reader:
    """A percent, stored as a string of the Decimal."""

    def read(typed: str, ask: Asking) -> rd.Parsed[JsonValue]:
        """Read one answer."""
        if maximum is None:
            return _json(rd.parse_percent(typed))
        return _json(rd.parse_percent(typed, maximum=maximum))

    return read


# --------------------------------------------------------------------------- checks


def _not_above(key: str, message: str) -> Check:
    """An amount that is part of an earlier answer cannot exceed it."""

    def check(value: JsonValue, ask: Asking) -> str | None:
        """The problem with the answer, or None."""
        whole = ask.answers.get(key)
        if whole not in (None, "skip") and Decimal(str(value)) > Decimal(str(whole)):
            return say(message, whole=usd(whole))
        return None

    return check


def _positive_on_account(message: str) -> Check:
    """More than zero on the money-out paths (a saver may start from nothing)."""

    def check(value: JsonValue, ask: Asking) -> str | None:
        """The problem with the answer, or None."""
        if ask.answers.get("path") in ACCOUNT and Decimal(str(value)) <= 0:
            return say(message)
        return None

    return check


def _positive(message: str) -> Check:
    """An amount that must be more than zero ("no" is not a balance)."""

    def check(value: JsonValue, ask: Asking) -> str | None:
        """The problem with the answer, or None."""
        return say(message) if Decimal(str(value)) <= 0 else None

    return check


def _within_plan_window(value: JsonValue, ask: Asking) -> str | None:
    """A last day more than a year ahead cannot be planned here."""
    if date.fromisoformat(str(value)) > ask.today + PLAN_WINDOW:
        return say("dialogue.question.leaving_date.too_far")
    return None


def _not_future(value: JsonValue, ask: Asking) -> str | None:
    """A start date is in the past, and not before anyone now working could have started."""
    day = date.fromisoformat(str(value))
    if day > ask.today:
        return say("dialogue.question.start_date.future")
    if day < EARLIEST_START:
        return say("dialogue.question.start_date.too_early", year=EARLIEST_START.year)
    return None


def _birth_in_past(value: JsonValue, ask: Asking) -> str | None:
    """A birth date is before today."""
    assert isinstance(value, list)
    birth = value[1]
    if birth is not None and date.fromisoformat(str(birth)) >= ask.today:
        return say("dialogue.question.age.birth_not_past")
    return None


# --------------------------------------------------------------------------- when asked


def _path(*paths: str) -> When:
    """Asked on these goals."""
    return lambda a: a.get("path") in paths


ACCOUNT = ("job_change", "loan", "withdrawal")
TAXED = (*ACCOUNT, "retiring")  # paths whose answer depends on the filing status


def _has_employer(a: Answers) -> bool:
    """Some of the balance is the employer's."""
    return a.get("path") in ACCOUNT and Decimal(str(a.get("employer") or 0)) > 0


def _leaving(a: Answers) -> bool:
    """The person is changing jobs or has left."""
    path = a.get("path")
    return path == "job_change" or (path in ACCOUNT and a.get("employment") == "leaving")


def _vests_over_time(a: Answers) -> bool:
    """The employer's money vests over years of service (or how is unknown: the law's least)."""
    return _has_employer(a) and a.get("schedule") in ("cliff3", "graded6", "unknown")


def _year_of(a: Answers) -> int:
    """The conversation's tax year (set with the age), else the latest covered."""
    year = a.get("tax_year")
    return year if isinstance(year, int) else max(params.SUPPORTED_YEARS)


def _catch_up_wages_matter(a: Answers) -> bool:
    """Catch-up age reached and pay near the Roth catch-up wage line (IRC 414(v)(5), (v)(7))."""
    if a.get("path") != "saving":
        return False
    year = _year_of(a)
    age = a.get("age_at_year_end")
    if not isinstance(age, int) or age < params.amount("catch_up_age", year):
        return False
    line = params.amount("roth_catch_up_wage_threshold", year) * NEAR_THRESHOLD
    return Decimal(str(a.get("salary") or 0)) > line


def _exceptions_can_matter(a: Answers) -> bool:
    """Withdrawal before the 59 1/2 rule and not already covered by the separation-age rule."""
    if a.get("path") != "withdrawal":
        return False
    year = _year_of(a)
    age = a.get("age_at_year_end")
    if not isinstance(age, int):
        return True
    free_from = int(params.get("penalty_free_age", year)["years"]) + 1
    if age >= free_from:
        return False
    return not (_leaving(a) and age >= params.amount("separation_age", year))


def _reason_is(reason: str) -> When:
    """The withdrawal reason given."""
    return lambda a: a.get("path") == "withdrawal" and a.get("reason") == reason


def _situation_is(situation: str) -> When:
    """The 72(t) situation chosen on the withdrawal path."""
    return lambda a: a.get("path") == "withdrawal" and a.get("situation") == situation


def _owes_on_loan_path(a: Answers) -> bool:
    """Someone asking about a new loan who already owes on one."""
    return a.get("path") == "loan" and Decimal(str(a.get("loan") or 0)) > 0


def _buying_a_home(a: Answers) -> bool:
    """A new loan to buy the main home (it may run longer than the general term)."""
    return a.get("path") == "loan" and a.get("loan_purpose") == "residence"


def _not_below_owed(value: JsonValue, ask: Asking) -> str | None:
    """The highest balance of the last 12 months is at least what is owed now."""
    owed = ask.answers.get("loan")
    if owed is not None and Decimal(str(value)) < Decimal(str(owed)):
        return say("dialogue.question.highest_loan.below_owed", owed=usd(owed))
    return None


def _given_amount(a: Answers, key: str) -> bool:
    """An amount was answered (not skipped)."""
    return a.get(key) not in (None, "skip")


def _roth_given(a: Answers) -> bool:
    """Some Roth money was named."""
    return a.get("path") in ("job_change", "withdrawal") and Decimal(str(a.get("roth") or 0)) > 0


def _leaving_before_separation_age(a: Answers) -> bool:
    """Leaving between the public-safety age and the age-55 rule (IRC 72(t)(10), 72(t)(2)(A)(v))."""
    if a.get("path") not in ACCOUNT or not _leaving(a):
        return False
    year = _year_of(a)
    age = a.get("age_at_year_end")
    if not isinstance(age, int) or age >= params.amount("separation_age", year):
        return False
    return age >= params.amount("public_safety_separation_age", year)


def _rmd_age_reached(a: Answers) -> bool:
    """The person reaches the RMD age this year or earlier (IRC 401(a)(9)(C))."""
    if a.get("path") not in ACCOUNT:
        return False
    year = _year_of(a)
    age = a.get("age_at_year_end")
    if not isinstance(age, int):
        return False
    given = a.get("age")
    birth = date(year - age, 12, 31)
    if isinstance(given, list) and given[1] is not None:
        birth = date.fromisoformat(str(given[1]))
    law = params.DEFAULT.of_year(year)
    return rmd_first_year(birth, rmd_start_age(birth, law)) <= year


def _rmd_due(a: Answers) -> bool:
    """An RMD is due this year: the age reached, and leaving or a 5% owner (IRC 401(a)(9)(C))."""
    return _rmd_age_reached(a) and (_leaving(a) or a.get("five_percent_owner") == "yes")


def _married(a: Answers) -> bool:
    """Married filing jointly: the spouse's age sets their own deductions (IRC 63(f))."""
    return a.get("path") in TAXED and a.get("filing") == "married_joint"


def _job_change(a: Answers) -> bool:
    """On the job-change path."""
    return a.get("path") == "job_change"


def _said_yes(key: str) -> When:
    """On the job-change path, and the yes/no question `key` was answered yes."""
    return lambda a: a.get("path") == "job_change" and a.get(key) == "yes"


def _new_plan_takes_it(a: Answers) -> bool:
    """The new employer's plan accepts rollovers."""
    return a.get("path") == "job_change" and a.get("new_plan") == "yes"


def _roth_ira_income_limit_reached(a: Answers) -> bool:
    """Pay at or above where Roth IRA contributions start to phase out (IRC 408A(c)(3)).

    Only then does a backdoor Roth (and the pro-rata rule an IRA rollover triggers) matter.
    """
    if a.get("path") != "job_change":
        return False
    status = str(a.get("filing") or "single")
    start, _ = params.get("roth_ira_phase_out", _year_of(a))[status]
    return Decimal(str(a.get("salary") or 0)) >= Decimal(start)


def _projects(a: Answers) -> bool:
    """The answer projects money to retirement (the assumptions are editable, never asked)."""
    return a.get("path") in ("job_change", "loan", "saving")


def _retiring(a: Answers) -> bool:
    """On the retiring path."""
    return a.get("path") == "retiring"


def _has_pension(a: Answers) -> bool:
    """A pension was given."""
    return _retiring(a) and Decimal(str(a.get("pension") or 0)) > 0


# --------------------------------------------------------------------------- derived answers


def _age_at_year_end(value: JsonValue, ask: Asking) -> Answers:
    """The age the rules use: attained by December 31 of the tax year."""
    assert isinstance(value, list)
    age, birth = value
    if birth is not None:
        years = ask.tax_year - date.fromisoformat(str(birth)).year
    else:
        years = int(str(age)) + ask.tax_year - ask.today.year
    return {"tax_year": ask.tax_year, "age_at_year_end": years}


# --------------------------------------------------------------------------- showing answers


def usd(value: JsonValue) -> str:
    """Dollars as a person writes them (stored answers are strings of Decimal)."""
    return money(Decimal(str(value)))


def _pct(value: JsonValue) -> str:
    """A stored percent as 6%."""
    return f"{Decimal(str(value)).normalize():f}%"


def _long_date(value: JsonValue) -> str:
    """A stored date as March 1, 2027."""
    return html.unescape(fmt_date(date.fromisoformat(str(value))))


def _age_view(value: JsonValue) -> str:
    """An age, or the birth date."""
    assert isinstance(value, list)
    age, birth = value
    return f"{age}" if birth is None else plain("dialogue.show.born", date=_long_date(birth))


def _match_view(value: JsonValue) -> str:
    """Match tiers in words."""
    if not value:
        return plain("dialogue.show.no_match")
    assert isinstance(value, list)
    tiers = [
        plain("dialogue.show.match_tier", match=t[0], pay=t[1])
        for t in value
        if isinstance(t, list)
    ]
    return " + ".join(tiers)


def _withdrawal_view(value: JsonValue) -> str:
    """$8,000 in hand, or $10,000."""
    assert isinstance(value, list)
    amount, kind = value
    key = "dialogue.show.withdrawal_net" if kind == "net" else "dialogue.show.withdrawal_gross"
    return plain(key, amount=usd(amount))


def _label_of(options: Options) -> Callable[[JsonValue], str]:
    """A stored choice key shown as its button label."""

    def show(value: JsonValue) -> str:
        """The label of the stored key."""
        labels = {c.key: c.label for c in options(max(params.SUPPORTED_YEARS))}
        return labels.get(str(value), str(value))

    return show


# --------------------------------------------------------------------------- the table

QUESTIONS: tuple[Question, ...] = (
    Question("age", _age, _age_view, check=_birth_in_past, derive=_age_at_year_end),
    Question(
        "retirement_age",
        _retirement_age,
        str,
        asked_when=_path("saving", "retiring"),
        assumed_when=_path("job_change", "loan"),
        unknown_default=DEFAULTS.retirement_age,
    ),
    Question("salary", _money("salary"), usd),
    Question(
        "balance",
        _money("balance"),
        usd,
        check=_positive_on_account("dialogue.question.balance.zero"),
        asked_when=_path(*ACCOUNT, "saving"),
    ),
    Question(
        "savings",
        _money("balance"),
        usd,
        check=_positive("dialogue.question.savings.zero"),
        asked_when=_retiring,
    ),
    Question(
        "spending",
        _money("monthly"),
        usd,
        check=_positive("dialogue.question.spending.zero"),
        asked_when=_retiring,
    ),
    Question(
        "essential",
        _part_of("spending", "monthly"),
        usd,
        check=_not_above("spending", "dialogue.question.essential.above_spending"),
        asked_when=_retiring,
        unknown_default="skip",
    ),
    Question(
        "social_security",
        _money("monthly"),
        usd,
        asked_when=_retiring,
        unknown_default="skip",
        counted_as="1",
    ),
    Question(
        "ss_age",
        _claiming_age,
        str,
        asked_when=lambda a: (
            _retiring(a)
            and _given_amount(a, "social_security")
            and Decimal(str(a.get("social_security"))) > 0
        ),
        unknown_default="skip",
    ),
    Question(
        "pension",
        _money("monthly"),
        usd,
        asked_when=_retiring,
        unknown_default="0",
        counted_as="1",
    ),
    Question(
        "pension_indexed",
        _yes_no_unsure,
        _label_of(YES_NO_UNSURE),
        asked_when=_has_pension,
        options=YES_NO_UNSURE,
        unknown_default="unknown",
    ),
    Question(
        "stock_share",
        _share_percent(),
        _pct,
        asked_when=_retiring,
        unknown_default="skip",
    ),
    Question(
        "employer",
        _part_of("balance"),
        usd,
        check=_not_above("balance", "dialogue.question.employer.above_balance"),
        asked_when=_path(*ACCOUNT),
        unknown_default="0",
        counted_as="1",
        values=_own_money_vested,
    ),
    Question(
        "schedule",
        _choice(SCHEDULES),
        _label_of(SCHEDULES),
        asked_when=_has_employer,
        options=SCHEDULES,
        unknown_default="unknown",
        counted_as="graded6",
    ),
    Question(
        "start_date", _date("past"), _long_date, check=_not_future, asked_when=_vests_over_time
    ),
    Question(
        "loan",
        _money("loan"),
        usd,
        check=_not_above("balance", "dialogue.question.loan.above_balance"),
        asked_when=_path(*ACCOUNT),
        unknown_default="0",
    ),
    Question(
        "highest_loan",
        _money("loan"),
        usd,
        check=_not_below_owed,
        asked_when=_owes_on_loan_path,
        unknown_default="skip",
    ),
    Question("loan_amount", _money("loan"), usd, asked_when=_path("loan")),
    Question(
        "loan_purpose",
        _choice(LOAN_PURPOSES),
        _label_of(LOAN_PURPOSES),
        asked_when=_path("loan"),
        options=LOAN_PURPOSES,
        counted_as="general",
    ),
    Question("loan_years", _loan_years, str, asked_when=_buying_a_home, unknown_default="skip"),
    Question(
        "loan_rate",
        _percent(Decimal(30)),
        _pct,
        asked_when=_path("loan"),
        unknown_default="skip",
    ),
    Question(
        "pay_frequency",
        _choice(PAY_FREQUENCIES),
        _label_of(PAY_FREQUENCIES),
        asked_when=_path("loan"),
        options=PAY_FREQUENCIES,
    ),
    Question(
        "employment",
        _choice(EMPLOYMENT),
        _label_of(EMPLOYMENT),
        asked_when=_path("withdrawal"),
        options=EMPLOYMENT,
        counted_as="leaving",
    ),
    Question("withdraw", _withdrawal_amount, _withdrawal_view, asked_when=_path("withdrawal")),
    Question(
        "reason",
        _choice(REASONS),
        _label_of(REASONS),
        asked_when=_path("withdrawal"),
        options=REASONS,
        unknown_default="none",
    ),
    Question(
        "medical_expenses",
        _money("amount"),
        usd,
        asked_when=_reason_is("medical"),
        unknown_default="0",
    ),
    Question(
        "situation",
        _choice(SITUATIONS),
        _label_of(SITUATIONS),
        asked_when=_exceptions_can_matter,
        options=SITUATIONS,
        unknown_default="none",
        counted_as="none",
    ),
    Question("children", _children, str, asked_when=_situation_is("birth_adoption")),
    Question(
        "leaving_date",
        _last_day,
        _long_date,
        check=_within_plan_window,
        asked_when=_leaving,
        unknown_default=TODAY,
    ),
    Question(
        "public_safety",
        _choice(PUBLIC_SAFETY),
        _label_of(PUBLIC_SAFETY),
        asked_when=_leaving_before_separation_age,
        options=PUBLIC_SAFETY,
        unknown_default="unknown",
        counted_as="no",
        values=lambda year: {
            "age": fmt_num(params.amount("public_safety_separation_age", year)),
            "years": fmt_num(params.amount("public_safety_service_years", year)),
        },
    ),
    Question(
        "five_percent_owner",
        _yes_no_unsure,
        _label_of(YES_NO_UNSURE),
        asked_when=_rmd_age_reached,
        options=YES_NO_UNSURE,
        unknown_default="unknown",
        counted_as="no",
    ),
    Question(
        "year_end_balance",
        _money("balance"),
        usd,
        asked_when=_rmd_due,
        unknown_default="skip",
        values=lambda year: {"last_year": str(year - 1)},
    ),
    Question("contribution", _contribution, _pct, asked_when=_path("saving")),
    Question(
        "match",
        _match,
        _match_view,
        asked_when=_path("saving"),
        options=_matches,
        unknown_default=[],
    ),
    Question("prior_wages", _money("salary"), usd, asked_when=_catch_up_wages_matter),
    Question(
        "filing",
        _filing,
        _label_of(FILING),
        asked_when=_path(*TAXED),
        options=FILING,
        unknown_default="single",
        counted_as="married_joint",
    ),
    Question(
        "spouse_age",
        _age,
        _age_view,
        check=_birth_in_past,
        asked_when=_married,
        unknown_default="skip",
        values=lambda year: {"age": fmt_num(params.amount("additional_deduction_age", year))},
    ),
    # Asked after the first answer, to sharpen it.
    Question(
        "new_plan",
        _yes_no_unsure,
        _label_of(YES_NO_UNSURE),
        asked_when=_path("job_change"),
        options=YES_NO_UNSURE,
        unknown_default="unknown",
        follow_up=True,
    ),
    Question(
        "annuity_quote",
        _percent(Decimal(30)),
        _pct,
        asked_when=_retiring,
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "state_tax",
        _percent(Decimal(20)),
        _pct,
        asked_when=_path(*ACCOUNT),
        unknown_default="0",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "roth",
        _part_of("balance"),
        usd,
        asked_when=_path("job_change", "withdrawal"),
        unknown_default="0",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "roth_basis",
        _part_of("roth"),
        usd,
        check=_not_above("roth", "dialogue.question.roth_basis.above_roth"),
        asked_when=_roth_given,
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "roth_year",
        _roth_year,
        str,
        asked_when=_roth_given,
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "employer_stock",
        _yes_no_unsure,
        _label_of(YES_NO_UNSURE),
        asked_when=_job_change,
        options=YES_NO_UNSURE,
        unknown_default="unknown",
        follow_up=True,
    ),
    Question(
        "stock_value",
        _part_of("balance"),
        usd,
        check=_positive("dialogue.question.stock_value.zero"),
        asked_when=_said_yes("employer_stock"),
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "stock_basis",
        _money("balance"),
        usd,
        asked_when=lambda a: _said_yes("employer_stock")(a) and _given_amount(a, "stock_value"),
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "after_tax",
        _yes_no_unsure,
        _label_of(YES_NO_UNSURE),
        asked_when=_job_change,
        options=YES_NO_UNSURE,
        unknown_default="unknown",
        follow_up=True,
    ),
    Question(
        "after_tax_amount",
        _part_of("balance"),
        usd,
        check=_positive("dialogue.question.after_tax_amount.zero"),
        asked_when=_said_yes("after_tax"),
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "after_tax_basis",
        _part_of("after_tax_amount"),
        usd,
        check=_not_above("after_tax_amount", "dialogue.question.after_tax_basis.above_amount"),
        asked_when=lambda a: _said_yes("after_tax")(a) and _given_amount(a, "after_tax_amount"),
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "backdoor",
        _yes_no_unsure,
        _label_of(YES_NO_UNSURE),
        asked_when=_roth_ira_income_limit_reached,
        options=YES_NO_UNSURE,
        unknown_default="unknown",
        follow_up=True,
    ),
    Question(
        "other_ira",
        _money("balance"),
        usd,
        asked_when=_said_yes("backdoor"),
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "fees_old",
        _fee,
        _pct,
        asked_when=_job_change,
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "fees_new",
        _fee,
        _pct,
        asked_when=_new_plan_takes_it,
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
    Question(
        "fees_ira",
        _fee,
        _pct,
        asked_when=_job_change,
        unknown_default="skip",
        follow_up=True,
        skip_button=True,
    ),
)

ASSUMPTIONS: tuple[Question, ...] = (
    # Never asked: assumed, stated where used, and changed with /edit.
    Question(
        "annual_return",
        _percent(Decimal(15)),
        _pct,
        asked_when=_never,
        assumed_when=_projects,
        unknown_default=str(DEFAULTS.annual_return_percent),
    ),
)
MAIN: tuple[Question, ...] = tuple(q for q in QUESTIONS if not q.follow_up)
FOLLOW_UPS: tuple[Question, ...] = tuple(q for q in QUESTIONS if q.follow_up)
QUESTIONS = QUESTIONS + ASSUMPTIONS
BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
