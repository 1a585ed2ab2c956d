"""The job-change questions that change the answer: asked only when they can, never guessed.

Each test walks the pure state machine as a person types, and checks what is asked, what is
stored and what the answer says it assumed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.dialogue.machine import handle
from bot.dialogue.profile import build_profile, pay_in_year_of, slowest_schedule
from bot.dialogue.questions import BY_KEY, Asking
from engine import evaluate
from tests.dialogue.walk import every_section

TODAY = date(2026, 12, 3)


def run(lines: list[str]) -> tuple[Any, list[str]]:
    """Feed typed lines; return the final state and every reply text, with every section of
    the answer opened at the end (as a person taps them)."""
    state: Any = None
    texts: list[str] = []
    for line in lines:
        state, replies = handle(state, line, today=TODAY)
        texts += [r.text for r in replies]
    return state, texts + every_section(state, TODAY)


def asked(texts: list[str], words: str) -> bool:
    """Whether some reply asks (or says) these words."""
    return any(words in t for t in texts)


START = ["/start", "1"]


def test_age_with_words_after_it_is_read() -> None:
    state, texts = run([*START, "52, I'm a police officer"])
    assert state.answers["age"] == [52, None]
    assert not asked(texts, "couldn't read")


def test_public_safety_is_asked_from_50_to_54_only() -> None:
    base = ["$90k", "100k", "none", "none", "December 31"]
    for age, expected in (("49", False), ("50", True), ("54", True), ("55", False)):
        _, texts = run([*START, age, *base])
        assert asked(texts, "public-safety job") is expected, age


def test_no_is_not_a_balance() -> None:
    state, texts = run([*START, "45", "90k", "no"])
    assert "balance" not in state.answers
    assert asked(texts, "I need the amount in the account")


def test_rmd_questions_only_at_rmd_age() -> None:
    base = ["$60k", "300k", "none", "none", "December 31"]
    _, young = run([*START, "72", *base])
    assert not asked(young, "own more than 5%")
    state, old = run([*START, "74", *base, "no"])
    assert asked(old, "own more than 5%")
    assert asked(old, "balance on December 31, 2025")
    state, _ = run([*START, "74", *base, "no", "280k", "1"])
    assert state.answers["year_end_balance"] == "280000"
    assert build_profile(dict(state.answers), TODAY).prior_year_end_balance == 280000


def test_spouse_age_only_when_married_and_gives_their_deductions() -> None:
    base = ["66", "$50k", "20k", "none", "none", "December 31"]
    _, single = run([*START, *base, "single"])
    assert not asked(single, "How old is your spouse")
    state, married = run([*START, *base, "married", "67"])
    assert asked(married, "How old is your spouse")
    profile = build_profile(dict(state.answers), TODAY)
    assert profile.spouse_age == 67


def test_spouse_age_not_known_is_stated() -> None:
    _, texts = run([*START, "66", "$50k", "20k", "none", "none", "December 31", "married", "?"])
    assert asked(texts, "Your spouse is under 65")


def test_vesting_not_sure_counts_only_what_the_law_guarantees_and_says_so() -> None:
    lines = [*START, "45", "$90k", "100k", "40k", "not sure", "2024-06-01", "none", "Dec 31", "1"]
    state, texts = run(lines)
    profile = build_profile(dict(state.answers), TODAY)
    assert profile.vesting.schedule == [Decimal(x) for x in slowest_schedule(2026)]
    report = evaluate(profile)
    assert report.vesting.vested_percent == 0  # 2 years: the 3-year cliff gives nothing yet
    assert asked(texts, "counted only what the law guarantees")
    assert not asked(texts, "(100% vested)")


def test_the_slowest_schedule_is_the_lower_of_the_two_each_year() -> None:
    assert slowest_schedule(2026) == ["0", "0", "0", "40", "60", "80", "100"]


def test_roth_contributions_unknown_give_a_range() -> None:
    lines = [*START, "40", "$90k", "80k", "none", "none", "December 31", "1", "3", "0", "15k"]
    state, texts = run([*lines, "don't know"])
    assert state.answers["roth_basis"] == "skip"
    assert asked(texts, "cashing out would cost between")


def test_employer_stock_and_after_tax_are_one_yes_no_first() -> None:
    lines = [*START, "40", "$90k", "80k", "none", "none", "December 31", "1", "3", "0", "none"]
    state, texts = run([*lines, "no", "no"])
    assert state.answers["employer_stock"] == "no" and state.answers["after_tax"] == "no"
    assert "stock_value" not in state.answers and "after_tax_amount" not in state.answers
    state, texts = run([*lines, "yes", "30k", "5k", "yes", "20000", "12000"])
    p = build_profile(dict(state.answers), TODAY)
    assert p.job_change.employer_stock.market_value == 30000
    assert p.job_change.employer_stock.cost_basis == 5000
    assert p.job_change.after_tax.amount == 20000 and p.job_change.after_tax.basis == 12000
    assert asked(texts, "Taking the shares out saves")
    assert asked(texts, "$12,000 (what you put in) to a Roth IRA")


def test_a_fee_is_read_as_typed() -> None:
    ask = Asking(today=TODAY, tax_year=2026, answers={})
    assert BY_KEY["fees_ira"].take("0.05", ask).value == "0.05"
    assert BY_KEY["fees_ira"].take("0.5%", ask).value == "0.5"
    assert BY_KEY["fees_ira"].take("12%", ask).error is not None


def test_assumptions_are_editable_without_being_asked() -> None:
    lines = [*START, "45", "$90k", "80k", "none", "none", "December 31", "1"]
    state, texts = run(lines)
    assert asked(texts, "by age 65 if it grows 6% a year")
    state, texts = run([*lines, "/edit"])
    assert any("retire" in t.lower() for t in texts)
    state, texts = run([*lines, "/edit", "At what age do you plan to retire", "62"])
    assert state.answers["retirement_age"] == 62
    assert build_profile(dict(state.answers), TODAY).assumptions.retirement_age == 62
    assert asked(texts, "What changed")


def test_a_last_day_next_year_is_confirmed_and_its_pay_prorated() -> None:
    lines = [*START, "45", "$90k", "80k", "none", "none", "end of next month"]
    state, texts = run(lines)
    assert asked(texts, "So your last day is January 31, 2027?")
    state, texts = run([*lines, "yes", "1"])
    assert state.answers["leaving_date"] == "2027-01-31"
    assert build_profile(dict(state.answers), TODAY).income == pay_in_year_of(
        Decimal(90000), date(2027, 1, 31)
    )
    assert pay_in_year_of(Decimal(90000), date(2027, 1, 31)) == Decimal("7643.84")


def test_backdoor_roth_is_asked_only_above_the_roth_ira_income_line() -> None:
    done = ["none", "none", "December 31", "single", "3", "0", "none", "no", "no"]
    _, low = run([*START, "45", "$90k", "300k", *done])
    assert not asked(low, "backdoor Roth")
    state, high = run([*START, "45", "$200k", "300k", *done, "yes", "20k"])
    assert asked(high, "backdoor Roth")
    p = build_profile(dict(state.answers), TODAY)
    assert p.backdoor_roth and p.other_ira_pretax == 20000
    assert asked(high, "the pro-rata rule")


def test_head_of_household_and_separate_returns_are_taken() -> None:
    base = [*START, "45", "$90k", "80k", "none", "none", "December 31"]
    for typed, status in (("head of household", "head_of_household"), ("MFS", "married_separate")):
        state, texts = run([*base, typed])
        assert state.answers["filing"] == status
        assert evaluate(build_profile(dict(state.answers), TODAY)).filing_status == status
        assert asked(texts, "My suggestion")
        assert not asked(texts, "How old is your spouse")


def test_a_start_date_before_1950_is_asked_again() -> None:
    lines = [*START, "45", "$90k", "100k", "40k", "3", "1900-01-01"]
    state, texts = run(lines)
    assert "start_date" not in state.answers
    assert asked(texts, "That is before 1950")


def test_a_new_job_without_a_plan_is_a_no() -> None:
    lines = [*START, "45", "$90k", "80k", "none", "none", "December 31", "1"]
    state, _ = run([*lines, "my new job doesnt have a 401k"])
    assert state.answers["new_plan"] == "no"
