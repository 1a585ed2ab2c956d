"""The spouse's age for the 65+ deductions: validation and the January 1 rule."""

from __future__ import annotations

import pytest

from engine import parse_profile
from engine.errors import InvalidProfile

BASE = {"as_of": "2026-06-30", "age": 66, "salary": 0, "filing_status": "married_joint"}


def test_spouse_age_must_agree_with_the_birth_date() -> None:
    with pytest.raises(InvalidProfile, match="spouse_age"):
        parse_profile(BASE | {"spouse_age": 60, "spouse_birth_date": "1960-05-01"})


def test_born_january_first_is_a_year_older_for_the_deductions_only() -> None:
    p = parse_profile(BASE | {"spouse_birth_date": "1962-01-01"})
    assert p.spouse_deduction_age(2026) == 65
    q = parse_profile({"as_of": "2026-06-30", "birth_date": "1962-01-01", "salary": 0})
    assert (q.age_at_year_end, q.deduction_age(2026)) == (64, 65)


def test_the_spouse_counts_only_on_a_joint_return() -> None:
    p = parse_profile(BASE | {"filing_status": "single", "spouse_age": 70})
    assert p.spouse_deduction_age(2026) is None
