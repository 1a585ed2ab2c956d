"""Reading chat answers: a table of real-world inputs, and properties that must always hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue import readers as P
from bot.dialogue.readers import base as readers_base
from bot.dialogue.readers.share import parse_share

D = Decimal
TODAY = date(2026, 6, 15)
VESTING = [
    ("immediate", "All of it is vested"),
    ("cliff3", "3-year cliff"),
    ("graded6", "20% a year (2-6 year graded)"),
    ("unknown", "Not sure"),
]
GOALS = [
    ("job_change", "I'm changing jobs"),
    ("loan", "A 401(k) loan"),
    ("withdrawal", "An early withdrawal"),
    ("saving", "Am I saving right?"),
]

READERS: dict[str, Callable[[str], P.Parsed[Any]]] = {
    "money": P.parse_money,
    "salary": partial(P.parse_money, kind="salary"),
    "balance_min1": partial(P.parse_money, kind="balance", minimum=D(1)),
    "percent": P.parse_percent,
    "percent_max20": partial(P.parse_percent, maximum=D(20)),
    "date": partial(P.parse_date, today=TODAY),
    "date_future": partial(P.parse_date, today=TODAY, prefer="future"),
    "date_past": partial(P.parse_date, today=TODAY, prefer="past"),
    "age": partial(P.parse_birth_or_age, today=TODAY),
    "match": P.parse_match,
    "yes_no": P.parse_yes_no,
    "vesting": partial(P.parse_choice, options=VESTING),
    "goal": partial(P.parse_choice, options=GOALS),
    "filing": P.parse_filing_status,
}

OK, ASK, ERR, UNK = "ok", "confirm", "error", "unknown"

# (reader, what the person typed, expected outcome, expected value — the suggestion for ASK)
CASES: list[tuple[str, str, str, Any]] = [
    # ---- money
    ("money", "$85k", OK, D(85000)),
    ("money", "85K", OK, D(85000)),
    ("money", "85,000", OK, D(85000)),
    ("money", "85000", OK, D(85000)),
    ("money", "85000/yr", OK, D(85000)),
    ("money", "85,000 per year", OK, D(85000)),
    ("money", "$85,000.50", OK, D("85000.50")),
    ("money", "1.2m", OK, D(1200000)),
    ("money", "1.2 million", OK, D(1200000)),
    ("money", "85 thousand", OK, D(85000)),
    ("money", "$ 85 000", OK, D(85000)),
    ("money", "85 grand", OK, D(85000)),
    ("money", "USD 12,500", OK, D(12500)),
    ("money", "12.5k", OK, D(12500)),
    ("money", "eighty five thousand", OK, D(85000)),
    ("money", "85.000", ASK, D(85000)),
    ("money", "1.000.000", ASK, D(1000000)),
    ("money", "none", OK, D(0)),
    ("money", "nothing", OK, D(0)),
    ("money", "zero", OK, D(0)),
    ("money", "no", OK, D(0)),
    ("money", "0", OK, D(0)),
    ("money", "n/a", OK, D(0)),
    ("money", "-5000", ERR, None),
    ("money", "7000 monthly", ERR, None),
    ("money", "200,000,000", ERR, None),
    ("money", "80-90k", ERR, None),
    ("money", "85,5", ERR, None),
    ("money", "a lot", ERR, None),
    ("money", "about 12k", ASK, D(12000)),
    ("money", "over 100k", ERR, None),
    ("money", "I don't know", UNK, None),
    ("money", "not sure", UNK, None),
    ("money", "dont know", UNK, None),
    ("money", "idk", UNK, None),
    ("money", "skip", UNK, None),
    ("money", "?", UNK, None),
    ("money", "\u200b$85k\u200d", OK, D(85000)),  # zero-width junk from a phone keyboard
    ("money", "８５,０００", OK, D(85000)),  # full-width digits
    ("money", "", ERR, None),
    ("money", "   ", ERR, None),
    ("money", "9" * 250, ERR, None),
    ("balance_min1", "0", ERR, None),
    ("salary", "$7,000/month", ASK, D(84000)),
    ("salary", "7k a month", ASK, D(84000)),
    ("salary", "7000 monthly", ASK, D(84000)),
    ("salary", "$40/hour", ASK, D(83200)),
    ("salary", "85", ASK, D(85000)),
    ("salary", "$85.50", ERR, None),
    ("salary", "my salary is 85k", OK, D(85000)),
    ("salary", "85k a year before taxes", OK, D(85000)),
    ("salary", "2500 per paycheck", ERR, None),
    # ---- percent
    ("percent", "6", OK, D(6)),
    ("percent", "6%", OK, D(6)),
    ("percent", "6 %", OK, D(6)),
    ("percent", "6 percent", OK, D(6)),
    ("percent", "6.5%", OK, D("6.5")),
    ("percent", "six", OK, D(6)),
    ("percent", "six and a half percent", OK, D("6.5")),
    ("percent", "0", OK, D(0)),
    ("percent", "none", OK, D(0)),
    ("percent", "0.5%", OK, D("0.5")),
    ("percent", "0.06", ASK, D(6)),
    ("percent", "140", ERR, None),
    ("percent", "3-5%", ERR, None),
    ("percent", "-2%", ERR, None),
    ("percent", "not sure", UNK, None),
    ("percent_max20", "25%", ERR, None),
    # ---- dates (today is 2026-06-15)
    ("date", "2027-03-01", OK, date(2027, 3, 1)),
    ("date", "3/1/2027", OK, date(2027, 3, 1)),
    ("date", "03/01/27", OK, date(2027, 3, 1)),
    ("date", "March 1, 2027", OK, date(2027, 3, 1)),
    ("date", "1 March 2027", OK, date(2027, 3, 1)),
    ("date", "Monday, March 1st, 2027", OK, date(2027, 3, 1)),
    ("date", "Mar 1", OK, date(2026, 3, 1)),
    ("date_future", "Mar 1", OK, date(2027, 3, 1)),
    ("date_future", "June 15", OK, date(2026, 6, 15)),
    ("date_past", "July 4", OK, date(2025, 7, 4)),
    ("date", "today", OK, TODAY),
    ("date", "now", OK, TODAY),
    ("date", "tomorrow", OK, date(2026, 6, 16)),
    ("date", "yesterday", OK, date(2026, 6, 14)),
    ("date", "end of month", OK, date(2026, 6, 30)),
    ("date", "end of year", OK, date(2026, 12, 31)),
    ("date", "next month", ASK, date(2026, 7, 1)),
    ("date", "in 2 weeks", OK, date(2026, 6, 29)),
    ("date", "25/12/2027", ASK, date(2027, 12, 25)),
    ("date", "2027-02-30", ERR, None),
    ("date", "13/45/2027", ERR, None),
    ("date", "march 2027", ASK, date(2027, 3, 1)),
    ("date", "already left", ERR, None),
    ("date", "dunno", UNK, None),
    # ---- age or birth date
    ("age", "45", OK, (45, None)),
    ("age", "45 years old", OK, (45, None)),
    ("age", "I'm 45", OK, (45, None)),
    ("age", "forty five", OK, (45, None)),
    ("age", "1980-05-02", OK, (None, date(1980, 5, 2))),
    ("age", "May 2 1980", OK, (None, date(1980, 5, 2))),
    ("age", "born 1980-05-02", OK, (None, date(1980, 5, 2))),
    ("age", "1980", ASK, (46, None)),
    ("age", "May 2", ERR, None),
    ("age", "12", ERR, None),
    ("age", "111", ERR, None),
    ("age", "2030-01-01", ERR, None),
    # ---- employer match
    ("match", "50% up to 6%", OK, [(D(50), D(6))]),
    ("match", "50% of the first 6%", OK, [(D(50), D(6))]),
    ("match", "100% of first 3% + 50% of next 2%", OK, [(D(100), D(3)), (D(50), D(2))]),
    ("match", "100% up to 3%, then 50% of the next 2%", OK, [(D(100), D(3)), (D(50), D(2))]),
    ("match", "100% up to 3% and 50% up to 5%", ASK, [(D(100), D(3)), (D(50), D(2))]),
    ("match", "dollar for dollar up to 4%", OK, [(D(100), D(4))]),
    ("match", "100% match up to 4%", OK, [(D(100), D(4))]),
    ("match", "50 cents on the dollar up to 6%", OK, [(D(50), D(6))]),
    ("match", "They match 50% of my contributions up to 6% of pay", OK, [(D(50), D(6))]),
    ("match", "4%", ASK, [(D(100), D(4))]),
    ("match", "safe harbor", OK, [(D(100), D(3)), (D(50), D(2))]),
    ("match", "basic safe harbor", OK, [(D(100), D(3)), (D(50), D(2))]),
    ("match", "enhanced safe harbor", OK, [(D(100), D(4))]),
    ("match", "none", OK, []),
    ("match", "no match", OK, []),
    ("match", "0", OK, []),
    ("match", "$2,000 a year", ERR, None),
    ("match", "50%", ERR, None),
    ("match", "600% up to 6%", ERR, None),
    ("match", "100% up to 60% + 50% of next 50%", ERR, None),
    ("match", "no idea", UNK, None),
    # ---- yes / no
    ("yes_no", "yes", OK, True),
    ("yes_no", "Y", OK, True),
    ("yes_no", "yeah", OK, True),
    ("yes_no", "yep", OK, True),
    ("yes_no", "sure", OK, True),
    ("yes_no", "ok", OK, True),
    ("yes_no", "correct", OK, True),
    ("yes_no", "right", OK, True),
    ("yes_no", "true", OK, True),
    ("yes_no", "1", OK, True),
    ("yes_no", "👍", OK, True),
    ("yes_no", "👍🏽", OK, True),
    ("yes_no", "Yes, that's right!", OK, True),
    ("yes_no", "no", OK, False),
    ("yes_no", "n", OK, False),
    ("yes_no", "nope", OK, False),
    ("yes_no", "nah", OK, False),
    ("yes_no", "false", OK, False),
    ("yes_no", "0", OK, False),
    ("yes_no", "👎", OK, False),
    ("yes_no", "no, that's right", ERR, None),
    ("yes_no", "maybe", ERR, None),
    ("yes_no", "not sure", UNK, None),
    ("yes_no", "don't know", UNK, None),
    # ---- choices
    ("vesting", "2", OK, "cliff3"),
    ("vesting", "2.", OK, "cliff3"),
    ("vesting", "3-YEAR CLIFF", OK, "cliff3"),
    ("vesting", "cliff", OK, "cliff3"),
    ("vesting", "graded6", OK, "graded6"),
    ("vesting", "not sure", OK, "unknown"),
    ("vesting", "the second one", OK, "cliff3"),
    ("vesting", "year", ERR, None),
    ("vesting", "5", ERR, None),
    ("goal", "loan", OK, "loan"),
    ("goal", "401", OK, "loan"),
    ("goal", "changing jobs", OK, "job_change"),
    ("goal", "pizza", ERR, None),
    # ---- filing status
    ("filing", "single", OK, "single"),
    ("filing", "S", OK, "single"),
    ("filing", "unmarried", OK, "single"),
    ("filing", "head of household", OK, "head_of_household"),
    ("filing", "HOH", OK, "head_of_household"),
    ("filing", "single parent", OK, "head_of_household"),
    ("filing", "married", OK, "married_joint"),
    ("filing", "joint", OK, "married_joint"),
    ("filing", "MFJ", OK, "married_joint"),
    ("filing", "Married filing jointly.", OK, "married_joint"),
    ("filing", "m", OK, "married_joint"),
    ("filing", "married filing separately", OK, "married_separate"),
    ("filing", "MFS", OK, "married_separate"),
    ("filing", "we file separately", OK, "married_separate"),
    ("filing", "it's complicated", ERR, None),
]


@contextmanager
def no_internal_errors() -> Iterator[None]:
    """Make the parsers' safety net fail the test instead of hiding a crash."""
    with mock.patch.object(
        readers_base._LOG, "error", side_effect=AssertionError("parser crashed")
    ):
        yield


def exactly_one_state(p: P.Parsed[Any]) -> None:
    """A result is exactly one of: understood, to confirm, an error, or unknown."""
    states = [
        p.ok and not p.unknown,
        p.confirm is not None and p.value is not None and p.error is None and not p.unknown,
        p.error is not None and p.value is None and p.confirm is None and not p.unknown,
        p.unknown and p.value is None and p.confirm is None and p.error is None,
    ]
    assert sum(states) == 1, p
    assert p.confirm is None or p.confirm.strip()
    assert p.error is None or p.error.strip()


@pytest.mark.parametrize(
    ("reader", "text", "outcome", "expected"),
    CASES,
    ids=[f"{r}:{t[:30]!r}" for r, t, _, _ in CASES],
)
def test_real_world_answers(reader: str, text: str, outcome: str, expected: Any) -> None:
    with no_internal_errors():
        got = READERS[reader](text)
    exactly_one_state(got)
    if outcome == OK:
        assert got.ok, got
        assert got.value == expected
    elif outcome == ASK:
        assert got.confirm, got
        assert got.value == expected
    elif outcome == ERR:
        assert got.error, got
    else:
        assert got.unknown, got


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 80
    assert {r for r, *_ in CASES} == set(READERS)


def test_exact_wordings() -> None:
    assert P.parse_money("85", kind="salary").confirm == "Did you mean $85,000 a year? (yes/no)"
    assert P.parse_money("7k a month", kind="salary").confirm == "That is $84,000 a year. Right?"
    assert P.parse_money("85.000").confirm == "Did you mean $85,000? (yes/no)"
    assert P.parse_percent("0.06").confirm == "Did you mean 6%?"
    assert P.parse_percent("140%").error == (
        "140% is more than 100%. Please enter a percent such as 6%."
    )
    assert P.parse_match("4%").confirm == "Dollar for dollar up to 4% of pay?"
    assert P.parse_birth_or_age("1980", today=TODAY).confirm == "So you turn 46 this year? (yes/no)"
    assert "e.g. 2027-03-01 or March 1" in (P.parse_date("2027-02-30", today=TODAY).error or "")
    assert "$100,000,000" in (P.parse_money("200000000").error or "")
    assert "too long" in (P.parse_money("1" * 201).error or "")
    assert "head of household" in (P.parse_filing_status("it's complicated").error or "")


def test_money_is_decimal_never_float() -> None:
    for text in ("$85,000.50", "1.2m", "0.06"):
        value = P.parse_money(text).value
        assert isinstance(value, Decimal)
    assert P.parse_money("$85,000.50").value == D("85000.50")


def test_safety_net_turns_a_crash_into_a_re_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(text: str) -> str:
        raise RuntimeError("bug")

    monkeypatch.setattr(readers_base, "clean", boom)
    got = P.parse_money("85k")
    assert got.error and got.value is None


def test_parsed_ok() -> None:
    assert P.Parsed(value=1).ok
    assert not P.Parsed(value=1, confirm="Sure?").ok
    assert not P.Parsed(unknown=True).ok
    assert not P.Parsed[int](error="Again?").ok
    assert P.Parsed(value=False).ok


# ---- properties

ALL_READERS = list(READERS.values())
CHATTY = st.lists(
    st.sampled_from(
        [*"0123456789$%.,/-+ kmy'½", "years", "months", "march ", "of the first ", "up to ", "next"]
        + [" and ", "born ", "half", "a month", "in ", " ago", "no", "yes", "none", "safe harbor"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=st.text())
def test_any_text_never_raises(text: str) -> None:
    with no_internal_errors():
        for read in ALL_READERS:
            exactly_one_state(read(text))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.characters(), max_size=500))
def test_any_unicode_never_raises(text: str) -> None:
    with no_internal_errors():
        for read in ALL_READERS:
            exactly_one_state(read(text))


@settings(max_examples=200, deadline=None)
@given(text=CHATTY)
def test_chat_like_text_never_raises(text: str) -> None:
    with no_internal_errors():
        for read in ALL_READERS:
            exactly_one_state(read(text))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**8))
def test_money_with_commas_round_trips(n: int) -> None:
    got = P.parse_money(f"${n:,}")
    assert got.ok and got.value == n


@settings(max_examples=100, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**8), cents=st.integers(0, 99))
def test_money_with_cents_round_trips(n: int, cents: int) -> None:
    got = P.parse_money(f"{n:,}.{cents:02d}", maximum=D(10**9))
    assert got.ok and got.value == D(n) + D(cents) / 100


@settings(max_examples=100, deadline=None)
@given(tenths=st.integers(min_value=10, max_value=1000))
def test_percent_with_sign_round_trips(tenths: int) -> None:
    value = D(tenths) / 10
    got = P.parse_percent(f"{value}%")
    assert got.ok and got.value == value


def test_natural_answers_from_people() -> None:
    """Answers people typed that were refused before."""
    assert P.parse_money("owe 8k", kind="loan").value == 8000
    assert P.parse_money("I owe 8,000", kind="loan").value == 8000
    assert P.parse_money("15k roth", kind="balance").value == 15000
    yes_about = P.parse_money("yes about 20k", kind="balance")
    assert yes_about.value == 20000 and yes_about.confirm
    assert P.parse_percent("no state tax").value == 0
    for typo, status in (("marreid", "married_joint"), ("singel", "single")):
        near = P.parse_filing_status(typo)
        assert near.value == status and "Did you mean" in (near.confirm or "")
    assert P.parse_money("5,500 a month", kind="monthly").value == 5500
    yearly = P.parse_money("60k a year", kind="monthly")
    assert yearly.value == 5000 and yearly.confirm


def test_dates_in_words() -> None:
    """'last friday', 'the 15th', 'in March', 'June 2010' as people type them."""
    today = date(2026, 12, 3)  # a Thursday
    assert P.parse_date("last friday", today=today, prefer="past").value == date(2026, 11, 27)
    assert P.parse_date("next friday", today=today).value == date(2026, 12, 4)
    assert P.parse_date("the 15th", today=today, prefer="past").value == date(2026, 11, 15)
    assert P.parse_date("the 15th", today=today, prefer="future").value == date(2026, 12, 15)
    march = P.parse_date("back in March", today=today, prefer="past")
    assert march.value == date(2026, 3, 1) and "first of that month" in (march.confirm or "")
    june = P.parse_date("June 2010", today=today, prefer="past")
    assert june.value == date(2010, 6, 1) and june.confirm


def test_shares_in_words() -> None:
    """'half', 'a third', 'all of it': a share of an earlier answer, nothing else."""
    assert parse_share("Half.").value == (Fraction(1, 2), "half")
    assert parse_share("about half of my balance").value == (Fraction(1, 2), "half")
    assert parse_share("three quarters").value == (Fraction(3, 4), "three_quarters")
    assert parse_share("all of it").value == (Fraction(1), "all")
    for other in ("halfway", "12k", "none", "", "half a million"):
        assert parse_share(other).value is None
