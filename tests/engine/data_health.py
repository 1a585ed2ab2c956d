"""Data health of a parameter directory: every year, per-year references, plausible values.

``problems(directory)`` reads the TOML files on their own (not through the loader) and then
the loaded set, and returns one message per problem; an empty list is a healthy set.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.errors import ParameterError
from engine.parameters import COVERAGE_FILE, UNITS, ParameterSet
from engine.rules.due_dates import extended_due_date, return_due_date

CITED_YEAR = re.compile(r"\((\d{4})\)")


def raw_entries(directory: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, name, entry) for every entry of every parameter file, read as plain TOML."""
    for path in sorted(directory.glob("*.toml")):
        if path.name != COVERAGE_FILE:
            for name, entry in tomllib.loads(path.read_text(), parse_float=Decimal).items():
                yield path.name, name, entry


EXPECTED_DATES = {"return_due_date": return_due_date, "return_due_date_extended": extended_due_date}


def numbers(value: Any) -> Iterator[Decimal]:
    """Every number inside a value."""
    if isinstance(value, Decimal):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from numbers(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from numbers(v)


def unit_problems(name: str, unit: str, year: int, value: Any) -> list[str]:
    """The value does not have the shape or range its unit promises."""
    where = f"{name} {year}"
    nums = list(numbers(value))
    if unit == "bool":
        return [] if isinstance(value, bool) else [f"{where}: not a yes/no"]
    if unit == "date":
        return [] if isinstance(value, date) else [f"{where}: not a date"]
    if unit == "month_day":
        try:
            date(2001, int(value[0]), int(value[1]))
        except (ValueError, TypeError, IndexError):
            return [f"{where}: {value} is not a month and day"]
        return []
    if unit == "rate" and not (isinstance(value, Decimal) and 0 <= value <= 1):
        return [f"{where}: a rate must be a number from 0 to 1"]
    if unit == "percent" and not all(0 <= n <= 100 for n in nums):
        return [f"{where}: a percent must be from 0 to 100"]
    if unit == "days" and not (isinstance(value, Decimal) and value > 0 and value % 1 == 0):
        return [f"{where}: days must be a whole positive number"]
    if unit == "years_months":
        ok = isinstance(value, dict) and set(value) == {"years", "months"}
        if not ok or not 0 <= value["months"] < 12:
            return [f"{where}: expected years and months (0-11)"]
    if unit == "usd_rate":
        return bracket_problems(where, value)
    if unit in ("usd", "years", "year") and not all(n >= 0 for n in nums):
        return [f"{where}: negative {unit}"]
    return []


def bracket_problems(where: str, value: Any) -> list[str]:
    """Brackets start at 0 and rise, with rates from 0 to 1 that never fall."""
    out = []
    for status, rows in value.items():
        floors = [r[0] for r in rows]
        rates = [r[1] for r in rows]
        if floors[0] != 0 or floors != sorted(set(floors)):
            out.append(f"{where} {status}: floors must start at 0 and rise")
        if rates != sorted(rates) or not all(0 <= r <= 1 for r in rates):
            out.append(f"{where} {status}: rates must be from 0 to 1 and never fall")
    return out


def table_problems(law: ParameterSet) -> list[str]:
    """The tables read row by row hold together."""
    out = []
    for year in law.years:
        ages = law.get("uniform_lifetime_table", year)
        keys = [int(a) for a in ages]
        if keys != list(range(min(keys), max(keys) + 1)):
            out.append(f"uniform_lifetime_table {year}: ages are not consecutive")
        periods = [ages[str(a)] for a in keys]
        if periods != sorted(periods, reverse=True):
            out.append(f"uniform_lifetime_table {year}: periods must fall with age")
        rows = law.get("rmd_start_age", year)
        born = [r["born_before"] for r in rows]
        if born != sorted(born) or born[-1] != date(9999, 12, 31):
            out.append(f"rmd_start_age {year}: rows must rise and end open-ended")
    return out


def problems(directory: Path) -> list[str]:
    """Every health problem of a parameter directory (an empty list when healthy)."""
    out: list[str] = []
    coverage = tomllib.loads((directory / COVERAGE_FILE).read_text())
    years = sorted(int(y) for y in coverage.get("years", {}))
    if not years or years != list(range(years[0], years[-1] + 1)):
        out.append(f"{COVERAGE_FILE}: the covered years must be consecutive: {years}")
    seen: dict[str, str] = {}
    for file, name, entry in raw_entries(directory):
        if name in seen:
            out.append(f"{name} is defined in {seen[name]} and {file}")
        seen[name] = file
        if entry.get("unit") not in UNITS:
            out.append(f"{name}: unknown unit {entry.get('unit')!r}")
        if not str(entry.get("description", "")).strip():
            out.append(f"{name}: no description")
        rows = entry.get("values", {})
        if sorted(int(y) for y in rows) != years:
            out.append(f"{name}: years {sorted(rows)} are not the covered years {years}")
            continue
        out += row_problems(name, rows)
    try:
        law = ParameterSet.load(directory)
    except ParameterError as exc:
        return [*out, f"the loader refuses the set: {exc}"]
    for name, param in law.entries.items():
        for year, value in param.values.items():
            out += unit_problems(name, param.unit, year, value)
            if isinstance(value, date) and value.year not in (year, year + 1):
                out.append(f"{name} {year}: {value} is not in {year} or {year + 1}")
    for name, make in EXPECTED_DATES.items():
        for year in law.years:
            got, want = law.day(name, year), make(year)
            if got != want:
                out.append(f"{name} {year}: {got} ({got:%A}), expected {want} ({want:%A})")
    return out + table_problems(law)


def row_problems(name: str, rows: dict[str, Any]) -> list[str]:
    """Each year's row: a non-empty reference, and a new one where the value changes."""
    out: list[str] = []
    previous: tuple[Any, str] | None = None
    for key in sorted(rows):
        year, row = int(key), rows[key]
        reference = str(row.get("reference", "")).strip()
        if not reference:
            out.append(f"{name} {year}: no reference")
        cited = {int(y) for y in CITED_YEAR.findall(reference)} - {year}
        if cited:
            out.append(f"{name} {year}: the reference is marked for {sorted(cited)}")
        value = row.get("value")
        if previous is not None and value != previous[0] and reference == previous[1]:
            out.append(f"{name} {year}: a new value needs the reference that published it")
        previous = (value, reference)
    return out
