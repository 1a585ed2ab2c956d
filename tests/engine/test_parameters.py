"""The parameter loader: strict keys, a value and a reference for every covered year, sets."""

from __future__ import annotations

import shutil
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine import evaluate, parse_profile
from engine import parameters as P
from engine.errors import ParameterError, UnsupportedYear
from engine.parameters import DEFAULT, ParameterSet

YEARS = (2024, 2025)


def entry(rows: str, unit: str = "usd", extra: str = "") -> str:
    """One parameter entry in the file format, with the given rows under `values`."""
    return f'[x]\ndescription = "d"\nunit = "{unit}"\n{extra}\n[x.values]\n{rows}\n'


GOOD_ROWS = '2024 = { value = 1, reference = "A 2024" }\n2025 = { value = 2, reference = "A 2025" }'


def test_an_entry_carries_each_years_value_and_reference() -> None:
    x = P.parse_entries(entry(GOOD_ROWS), "t", YEARS)["x"]
    assert x.values == {2024: Decimal(1), 2025: Decimal(2)}
    assert x.references == {2024: "A 2024", 2025: "A 2025"}
    assert x.reference == "A 2025"  # the latest year's


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (entry(GOOD_ROWS, extra="reference = 'old style'"), "unknown keys"),
        (entry(GOOD_ROWS, unit="furlongs"), "unknown unit"),
        (entry(GOOD_ROWS, unit="bool"), "a bool needs unit 'bool'"),
        (entry('2024 = { value = 1, reference = "A" }'), "lacks a value for \\[2025\\]"),
        (
            entry(GOOD_ROWS + '\n2023 = { value = 1, reference = "A" }'),
            "unsupported years \\[2023\\]",
        ),
        (
            entry('2024 = { value = 1, reference = " " }\n2025 = { value = 2, reference = "A" }'),
            "no reference for 2024",
        ),
        (entry('2024 = { value = 1 }\n2025 = { value = 2, reference = "A" }'), "exactly"),
        (
            entry('2024 = { value = 1, reference = "A", note = "n" }\n2025 = { value = 2 }'),
            "exactly",
        ),
        (entry('year2024 = { value = 1, reference = "A" }'), "non-year key"),
        ('[x]\ndescription="d"\ndescription="e"\nunit="usd"\nvalues={}\n', "t: "),
        ("x = 1\n", "not a table"),
    ],
)
def test_malformed_entries_are_refused(text: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        P.parse_entries(text, "t", YEARS)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[years]\n",
        '[years.2024]\npublished = ""\n',
        '[years.2024]\npublished = "x"\nnote = "y"\n',
        '[years.24]\npublished = "x"\n',
        '[years.2024]\npublished = "x"\n[other]\n',
    ],
)
def test_malformed_coverage_is_refused(text: str) -> None:
    with pytest.raises(ParameterError):
        P.parse_coverage(text)


def copy_default(tmp_path: Path) -> Path:
    """A copy of the engine's parameter directory."""
    where = tmp_path / "parameters"
    shutil.copytree(P.HERE, where, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return where


def test_a_name_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    where = copy_default(tmp_path)
    (where / "again.toml").write_text((where / "loans.toml").read_text())
    with pytest.raises(ParameterError, match="already defined in"):
        ParameterSet.load(where)


def test_a_directory_without_coverage_is_refused(tmp_path: Path) -> None:
    where = copy_default(tmp_path)
    (where / "coverage.toml").unlink()
    with pytest.raises(ParameterError, match=r"no coverage\.toml"):
        ParameterSet.load(where)


def test_the_supported_years_come_from_the_coverage_table() -> None:
    coverage = tomllib.loads((P.HERE / "coverage.toml").read_text())
    years = tuple(sorted(int(y) for y in coverage["years"]))
    assert DEFAULT.years == P.SUPPORTED_YEARS == years
    assert set(DEFAULT.published) == set(years)


def test_unsupported_year_is_an_error_not_a_guess() -> None:
    for year in (max(P.SUPPORTED_YEARS) + 1, min(P.SUPPORTED_YEARS) - 1):
        with pytest.raises(UnsupportedYear):
            P.amount("deferral_402g", year)
        with pytest.raises(UnsupportedYear):
            DEFAULT.of_year(year)
        assert not DEFAULT.covers(year)


def test_module_functions_read_the_default_set() -> None:
    year = max(P.SUPPORTED_YEARS)
    law = DEFAULT.of_year(year)
    assert P.amount("deferral_402g", year) == law.amount("deferral_402g")
    assert P.flag("rmd_excludes_roth", year) is law.flag("rmd_excludes_roth")
    assert isinstance(P.day("return_due_date", year), date)
    assert P.get("tax_brackets", year) == law.get("tax_brackets")
    assert P.source("deferral_402g", year) == law.reference("deferral_402g")
    assert P.source("deferral_402g") == law.reference("deferral_402g")
    assert P.load_all() is DEFAULT.entries
    with pytest.raises(ParameterError, match="no parameter named"):
        law.get("no_such_thing")
    with pytest.raises(ParameterError, match="is not a number"):
        law.amount("rmd_excludes_roth")


PROFILE = {"as_of": "2026-06-30", "age": 40, "salary": 85000, "balances": {"pretax": 10000}}


def test_an_explicit_set_is_used_and_leaves_the_default_alone(tmp_path: Path) -> None:
    where = copy_default(tmp_path)
    year = max(DEFAULT.years)
    limits = where / "limits.toml"
    old = f"{year} = {{ value = {DEFAULT.amount('deferral_402g', year)}, "
    assert old in limits.read_text()
    limits.write_text(limits.read_text().replace(old, f"{year} = {{ value = 12345, ", 1))
    other = ParameterSet.load(where)
    profile = parse_profile({**PROFILE, "as_of": f"{year}-06-30"})
    assert evaluate(profile, other).limits.deferral_402g == Decimal(12345)
    assert evaluate(profile).limits.deferral_402g == DEFAULT.amount("deferral_402g", year)


def test_the_trace_cites_each_years_own_reference() -> None:
    for year in DEFAULT.years:
        report = evaluate(parse_profile({**PROFILE, "as_of": f"{year}-06-30"}))
        entry_ = next(e for e in report.trace if e["figure"] == "limits.deferral_402g")
        assert entry_["source"] == DEFAULT.reference("deferral_402g", year)
        others = {DEFAULT.reference("deferral_402g", y) for y in DEFAULT.years} - {entry_["source"]}
        assert len(others) == len(DEFAULT.years) - 1  # every year cites a different notice


def test_a_citation_names_each_source_once() -> None:
    law = DEFAULT.of_year(max(DEFAULT.years))
    cited = law.cite(("deferral_402g", "catch_up_50", "IRC 414(v)(3)(A)"))
    parts = cited.split("; ")
    assert len(parts) == len(set(parts))
    assert law.reference("deferral_402g") in cited
    assert law.cite(()) == "arithmetic on the inputs"
