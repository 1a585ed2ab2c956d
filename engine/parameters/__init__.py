"""The law as dated, cited data: a strict loader over the TOML files beside this module.

Every entry has ``description``, ``unit``, ``reference`` and ``values`` keyed by tax year;
every supported year has a value (unchanged years repeated); nothing is extrapolated.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from engine.errors import ParameterError, UnsupportedYear

SUPPORTED_YEARS: tuple[int, ...] = (2024, 2025, 2026)
FILES = ("limits", "tax", "withdrawals", "loans", "rmd", "vesting", "distributions")
ENTRY_KEYS = frozenset({"description", "unit", "reference", "values"})
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Parameter:
    """One legal quantity: what it is, its value per tax year, and where it was published."""

    name: str
    description: str
    unit: str
    reference: str
    values: dict[int, Any]
    file: str


def _exact(value: Any) -> Any:
    """Integers become Decimal, recursively; Decimal, bool, str and date stay as they are."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return value


def parse_entries(text: str, file: str) -> dict[str, Parameter]:
    """Parse one parameter file strictly (duplicate keys are a TOML error)."""
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{file}: {exc}") from exc
    out: dict[str, Parameter] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise ParameterError(f"{file}: {name} is not a table")
        unknown = set(entry) - ENTRY_KEYS
        missing = ENTRY_KEYS - set(entry)
        if unknown:
            raise ParameterError(f"{file}: {name} has unknown keys {sorted(unknown)}")
        if missing:
            raise ParameterError(f"{file}: {name} lacks {sorted(missing)}")
        if not isinstance(entry["reference"], str) or not entry["reference"].strip():
            raise ParameterError(f"{file}: {name} has no reference")
        values: dict[int, Any] = {}
        for year_key, value in entry["values"].items():
            if not year_key.isdigit():
                raise ParameterError(f"{file}: {name} has a non-year key {year_key!r}")
            values[int(year_key)] = _exact(value)
        extra = set(values) - set(SUPPORTED_YEARS)
        absent = set(SUPPORTED_YEARS) - set(values)
        if extra:
            raise ParameterError(f"{file}: {name} has values for unsupported years {sorted(extra)}")
        if absent:
            raise ParameterError(f"{file}: {name} lacks a value for {sorted(absent)}")
        out[name] = Parameter(
            name=name,
            description=str(entry["description"]),
            unit=str(entry["unit"]),
            reference=entry["reference"],
            values=values,
            file=file,
        )
    return out


@cache
def load_all() -> dict[str, Parameter]:
    """Every parameter of every file; a name defined twice is an error."""
    table: dict[str, Parameter] = {}
    for file in FILES:
        path = HERE / f"{file}.toml"
        for name, param in parse_entries(path.read_text(encoding="utf-8"), file).items():
            if name in table:
                raise ParameterError(f"{file}: {name} is already defined in {table[name].file}")
            table[name] = param
    return table


def check_year(year: int) -> None:
    """Refuse a tax year the parameters do not cover."""
    if year not in SUPPORTED_YEARS:
        raise UnsupportedYear(year, list(SUPPORTED_YEARS))


@cache
def _flat() -> dict[tuple[str, int], Any]:
    """Every (name, year) value in one dict, for fast lookups."""
    return {(n, y): v for n, p in load_all().items() for y, v in p.values.items()}


_FLAT: dict[tuple[str, int], Any] = {}


def get(name: str, year: int) -> Any:
    """The value of a parameter for a tax year."""
    if not _FLAT:
        _FLAT.update(_flat())
    try:
        return _FLAT[name, year]
    except KeyError:
        check_year(year)
        raise ParameterError(f"no parameter named {name}") from None


def amount(name: str, year: int) -> Decimal:
    """A numeric parameter for a tax year."""
    value = get(name, year)
    if not isinstance(value, Decimal):
        raise ParameterError(f"{name} is not a number")
    return value


def flag(name: str, year: int) -> bool:
    """A yes/no parameter for a tax year."""
    value = get(name, year)
    if not isinstance(value, bool):
        raise ParameterError(f"{name} is not a boolean")
    return value


def day(name: str, year: int) -> date:
    """A date parameter for a tax year."""
    value = get(name, year)
    if not isinstance(value, date):
        raise ParameterError(f"{name} is not a date")
    return value


def source(name: str) -> str:
    """The citation of a parameter."""
    return load_all()[name].reference
