"""Data health of engine/parameters: every year, references per year, real and plausible dates."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from engine import parameters as P
from engine.rules.due_dates import (
    emancipation_day,
    extended_due_date,
    next_business_day,
    return_due_date,
)
from tests.engine.data_health import problems


def test_the_engine_parameters_are_healthy() -> None:
    assert problems(P.HERE) == []


def test_due_dates_follow_their_definition() -> None:
    """The expected dates themselves: April 15 or the next business day (IRC 6072(a), 7503)."""
    assert return_due_date(2021) == date(2022, 4, 18)  # 15th a Friday holiday, then a weekend
    assert return_due_date(2022) == date(2023, 4, 18)  # 15th a Saturday, 17th observed holiday
    assert return_due_date(2023) == date(2024, 4, 15)
    assert extended_due_date(2019) == date(2020, 10, 15)
    assert extended_due_date(2022) == date(2023, 10, 16)  # 15th a Sunday
    assert emancipation_day(2023) == date(2023, 4, 17)
    assert next_business_day(date(2026, 4, 15)) == date(2026, 4, 15)


def copy(tmp_path: Path) -> Path:
    """A copy of the engine's parameter directory to break on purpose."""
    where = tmp_path / "parameters"
    shutil.copytree(P.HERE, where, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return where


def edit(where: Path, file: str, old: str, new: str) -> None:
    """Replace one exact piece of a parameter file."""
    path = where / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def latest() -> int:
    return max(P.SUPPORTED_YEARS)


def due_row(year: int) -> str:
    """The start of a year's return_due_date row."""
    return f"{year} = {{ value = {P.day('return_due_date', year).isoformat()}"


def test_a_due_date_copied_from_the_year_before_is_caught(tmp_path: Path) -> None:
    where = copy(tmp_path)
    y = latest()
    edit(where, "tax.toml", due_row(y), f"{y} = {{ value = {P.day('return_due_date', y - 1)}")
    found = problems(where)
    assert any(p.startswith(f"return_due_date {y}:") for p in found), found


def test_a_due_date_on_a_weekend_is_caught(tmp_path: Path) -> None:
    where = copy(tmp_path)
    y = latest()
    saturday = next(date(y + 1, 4, d) for d in range(10, 24) if date(y + 1, 4, d).weekday() == 5)
    edit(where, "tax.toml", due_row(y), f"{y} = {{ value = {saturday.isoformat()}")
    found = problems(where)
    assert any("Saturday" in p for p in found), found


def test_one_reference_for_changed_values_is_caught(tmp_path: Path) -> None:
    where = copy(tmp_path)
    y = latest()
    new = P.source("deferral_402g", y)
    old = P.source("deferral_402g", y - 1)
    edit(where, "limits.toml", f'reference = "{new}"', f'reference = "{old}"')
    found = problems(where)
    assert f"deferral_402g {y}: a new value needs the reference that published it" in found


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('unit = "days"', 'unit = "fortnights"', "unknown unit"),
        ('reference = "IRC 402(c)(3)(A)"', 'reference = " "', "no reference"),
        ('reference = "IRC 402(c)(3)(A)"', 'reference = "IRC 402(c)(3)(A) (2019)"', "marked for"),
        ("value = 0.20,", "value = 20,", "a rate must be"),
        ("value = 60,", "value = 60.5,", "days must be"),
    ],
)
def test_each_check_bites(tmp_path: Path, old: str, new: str, message: str) -> None:
    where = copy(tmp_path)
    edit(where, "withdrawals.toml", old, new)
    found = problems(where)
    assert any(message in p for p in found), found


def test_a_missing_year_and_a_gap_in_coverage_are_caught(tmp_path: Path) -> None:
    where = copy(tmp_path)
    y = latest()
    edit(where, "coverage.toml", f"[years.{y}]", f"[years.{y + 2}]")
    found = problems(where)
    assert any("must be consecutive" in p for p in found), found
    assert any("are not the covered years" in p for p in found), found


def test_a_name_in_two_files_is_caught(tmp_path: Path) -> None:
    where = copy(tmp_path)
    (where / "again.toml").write_text((where / "loans.toml").read_text())
    found = problems(where)
    assert any("is defined in" in p for p in found), found
