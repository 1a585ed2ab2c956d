"""The law as dated, cited data: a parameter set is a directory of TOML files, strictly loaded.

``coverage.toml`` lists the tax years the set covers and where each year's figures were
published. Every other ``*.toml`` file holds entries with ``description``, ``unit`` and
``values``; ``values`` has, for exactly the covered years, a ``value`` (unchanged years
repeated) and that year's own ``reference``. Nothing is extrapolated.

The default set is this directory, or the one ADVISOR_PARAMETERS_DIR names (same layout),
read once when the engine is imported; ``ParameterSet.load(directory)`` builds any other.
The module functions (``get``, ``amount``, ``SUPPORTED_YEARS`` ...) read the default set.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import ParameterError, UnsupportedYear

ENV_VAR = "ADVISOR_PARAMETERS_DIR"
HERE = Path(__file__).resolve().parent
COVERAGE_FILE = "coverage.toml"
ENTRY_KEYS = frozenset({"description", "unit", "values"})
YEAR_KEYS = frozenset({"value", "reference"})
UNITS: Mapping[str, str] = MappingProxyType(
    {
        "usd": "US dollars",
        "rate": "a fraction (0.2 for 20%)",
        "percent": "percent (20 for 20%)",
        "usd_rate": "[US dollars, rate] pairs",
        "years": "years (an age, a count of years or a list of years)",
        "years_months": "years and months",
        "year": "a calendar year",
        "days": "days",
        "month_day": "[month, day]",
        "date": "a calendar date",
        "bool": "yes or no",
        "codes": "a list of names the engine knows (e.g. the safe-harbor hardship reasons)",
        "count": "a number of times or items",
        "quarters": "calendar quarters",
    }
)


@dataclass(frozen=True)
class Parameter:
    """One legal quantity: what it is, its value for each tax year, and each year's citation."""

    name: str
    description: str
    unit: str
    values: Mapping[int, Any]
    references: Mapping[int, str]
    file: str

    @property
    def reference(self) -> str:
        """The citation of the latest covered year (``references`` holds every year's)."""
        return self.references[max(self.references)]


class YearParameters:
    """One tax year of a parameter set: every value by name (one dict lookup) and citations."""

    __slots__ = ("_references", "_values", "citations", "parameters", "year")

    def __init__(self, parameters: ParameterSet, year: int) -> None:
        self.parameters = parameters
        self.year = year
        entries = parameters.entries
        self._values: dict[str, Any] = {n: p.values[year] for n, p in entries.items()}
        self._references: dict[str, str] = {n: p.references[year] for n, p in entries.items()}
        # The citation text of each tuple of sources the rules name, filled by cite().
        self.citations: dict[tuple[str, ...], str] = {}

    def get(self, name: str) -> Any:
        """The value of a parameter for this year."""
        try:
            return self._values[name]
        except KeyError:
            raise ParameterError(f"no parameter named {name}") from None

    def amount(self, name: str) -> Decimal:
        """A numeric parameter for this year."""
        try:
            value = self._values[name]
        except KeyError:
            raise ParameterError(f"no parameter named {name}") from None
        if not isinstance(value, Decimal):
            raise ParameterError(f"{name} is not a number")
        return value

    def flag(self, name: str) -> bool:
        """A yes/no parameter for this year."""
        try:
            value = self._values[name]
        except KeyError:
            raise ParameterError(f"no parameter named {name}") from None
        if not isinstance(value, bool):
            raise ParameterError(f"{name} is not a boolean")
        return value

    def day(self, name: str) -> date:
        """A date parameter for this year."""
        value = self.get(name)
        if not isinstance(value, date):
            raise ParameterError(f"{name} is not a date")
        return value

    def reference(self, name: str) -> str:
        """Where this year's value of a parameter was published."""
        try:
            return self._references[name]
        except KeyError:
            raise ParameterError(f"no parameter named {name}") from None

    def cite(self, sources: tuple[str, ...]) -> str:
        """The citation of parameter names or literal sources for this year, without repeats."""
        cited = self.citations.get(sources)
        if cited is None:
            refs = self._references
            parts = (part for s in sources for part in refs.get(s, s).split("; "))
            cited = "; ".join(dict.fromkeys(parts)) or "arithmetic on the inputs"
            self.citations[sources] = cited
        return cited


class ParameterSet:
    """A directory of parameter files, loaded and checked: the law for the years it covers."""

    __slots__ = ("_by_year", "directory", "entries", "published", "years")

    def __init__(
        self, directory: Path, published: Mapping[int, str], entries: Mapping[str, Parameter]
    ) -> None:
        self.directory = directory
        self.published: Mapping[int, str] = MappingProxyType(dict(published))
        self.years: tuple[int, ...] = tuple(sorted(published))
        self.entries: Mapping[str, Parameter] = MappingProxyType(dict(entries))
        self._by_year = {y: YearParameters(self, y) for y in self.years}

    @classmethod
    def load(cls, directory: Path | str) -> ParameterSet:
        """Read and check every file of a directory laid out like engine/parameters/."""
        where = Path(directory)
        coverage = where / COVERAGE_FILE
        if not coverage.is_file():
            raise ParameterError(f"{where}: no {COVERAGE_FILE}")
        published = parse_coverage(coverage.read_text(encoding="utf-8"))
        entries: dict[str, Parameter] = {}
        for path in sorted(where.glob("*.toml")):
            if path.name == COVERAGE_FILE:
                continue
            text = path.read_text(encoding="utf-8")
            for name, param in parse_entries(text, path.stem, tuple(published)).items():
                if name in entries:
                    raise ParameterError(
                        f"{path.stem}: {name} is already defined in {entries[name].file}"
                    )
                entries[name] = param
        if not entries:
            raise ParameterError(f"{where}: no parameter files")
        return cls(where, published, entries)

    def covers(self, year: int) -> bool:
        """Whether the set has the figures of a tax year."""
        return year in self._by_year

    def check_year(self, year: int) -> None:
        """Refuse a tax year the set does not cover."""
        if year not in self._by_year:
            raise UnsupportedYear(year, list(self.years))

    def of_year(self, year: int) -> YearParameters:
        """The parameters of one covered tax year; UnsupportedYear for any other."""
        try:
            return self._by_year[year]
        except KeyError:
            raise UnsupportedYear(year, list(self.years)) from None

    def get(self, name: str, year: int) -> Any:
        """The value of a parameter for a tax year."""
        return self.of_year(year).get(name)

    def amount(self, name: str, year: int) -> Decimal:
        """A numeric parameter for a tax year."""
        return self.of_year(year).amount(name)

    def flag(self, name: str, year: int) -> bool:
        """A yes/no parameter for a tax year."""
        return self.of_year(year).flag(name)

    def day(self, name: str, year: int) -> date:
        """A date parameter for a tax year."""
        return self.of_year(year).day(name)

    def reference(self, name: str, year: int) -> str:
        """Where a tax year's value of a parameter was published."""
        return self.of_year(year).reference(name)


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


def _toml(text: str, file: str) -> dict[str, Any]:
    """Parse TOML strictly (duplicate keys are an error), floats as Decimal."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{file}: {exc}") from exc


def _year(key: str, where: str) -> int:
    """A tax-year key such as "2026"."""
    if not (key.isdigit() and len(key) == 4):
        raise ParameterError(f"{where} has a non-year key {key!r}")
    return int(key)


def _text(value: Any) -> bool:
    """A non-empty string."""
    return isinstance(value, str) and bool(value.strip())


def parse_coverage(text: str) -> dict[int, str]:
    """The covered tax years and where each year's figures were published (coverage.toml)."""
    raw = _toml(text, COVERAGE_FILE)
    if set(raw) != {"years"} or not isinstance(raw["years"], dict) or not raw["years"]:
        raise ParameterError(f"{COVERAGE_FILE}: expected one [years.YYYY] table per tax year")
    out: dict[int, str] = {}
    for key, row in raw["years"].items():
        year = _year(key, COVERAGE_FILE)
        if not isinstance(row, dict) or set(row) != {"published"} or not _text(row["published"]):
            raise ParameterError(f"{COVERAGE_FILE}: {year} needs one non-empty `published`")
        out[year] = row["published"]
    return dict(sorted(out.items()))


def _check_unit(file: str, name: str, unit: str, values: dict[int, Any]) -> None:
    """The unit is known, and yes/no and date values carry the matching unit."""
    if unit not in UNITS:
        raise ParameterError(f"{file}: {name} has an unknown unit {unit!r}")
    for year, value in values.items():
        if isinstance(value, bool) != (unit == "bool"):
            raise ParameterError(f"{file}: {name} {year}: a bool needs unit 'bool' and back")
        if isinstance(value, date) != (unit == "date"):
            raise ParameterError(f"{file}: {name} {year}: a date needs unit 'date' and back")


def parse_entries(text: str, file: str, years: tuple[int, ...]) -> dict[str, Parameter]:
    """Parse one parameter file strictly: known keys, a value and a reference for every year."""
    out: dict[str, Parameter] = {}
    for name, entry in _toml(text, file).items():
        if not isinstance(entry, dict):
            raise ParameterError(f"{file}: {name} is not a table")
        unknown = set(entry) - ENTRY_KEYS
        missing = ENTRY_KEYS - set(entry)
        if unknown:
            raise ParameterError(f"{file}: {name} has unknown keys {sorted(unknown)}")
        if missing:
            raise ParameterError(f"{file}: {name} lacks {sorted(missing)}")
        if not _text(entry["description"]) or not isinstance(entry["unit"], str):
            raise ParameterError(f"{file}: {name} needs a description and a unit")
        if not isinstance(entry["values"], dict):
            raise ParameterError(f"{file}: {name}: values must be a table by year")
        values: dict[int, Any] = {}
        references: dict[int, str] = {}
        for key, row in entry["values"].items():
            year = _year(key, f"{file}: {name}")
            if not isinstance(row, dict) or set(row) != YEAR_KEYS:
                raise ParameterError(f"{file}: {name} {year} needs exactly `value` and `reference`")
            if not _text(row["reference"]):
                raise ParameterError(f"{file}: {name} has no reference for {year}")
            values[year] = _exact(row["value"])
            references[year] = row["reference"].strip()
        extra = set(values) - set(years)
        absent = set(years) - set(values)
        if extra:
            raise ParameterError(f"{file}: {name} has values for unsupported years {sorted(extra)}")
        if absent:
            raise ParameterError(f"{file}: {name} lacks a value for {sorted(absent)}")
        _check_unit(file, name, entry["unit"], values)
        out[name] = Parameter(
            name=name,
            description=entry["description"].strip(),
            unit=entry["unit"],
            values=MappingProxyType(dict(sorted(values.items()))),
            references=MappingProxyType(dict(sorted(references.items()))),
            file=file,
        )
    return out


def directory_from_environment() -> Path:
    """The default set's directory: ADVISOR_PARAMETERS_DIR when set, else this package's."""
    chosen = os.environ.get(ENV_VAR, "").strip()
    return Path(chosen) if chosen else HERE


# The default parameter set, read once at import (immutable: never reassigned or filled).
DEFAULT: ParameterSet = ParameterSet.load(directory_from_environment())
SUPPORTED_YEARS: tuple[int, ...] = DEFAULT.years


def load_all() -> Mapping[str, Parameter]:
    """Every parameter of the default set, by name."""
    return DEFAULT.entries


def check_year(year: int) -> None:
    """Refuse a tax year the default set does not cover."""
    DEFAULT.check_year(year)


def get(name: str, year: int) -> Any:
    """The value of a parameter for a tax year (default set)."""
    return DEFAULT.of_year(year).get(name)


def amount(name: str, year: int) -> Decimal:
    """A numeric parameter for a tax year (default set)."""
    return DEFAULT.of_year(year).amount(name)


def flag(name: str, year: int) -> bool:
    """A yes/no parameter for a tax year (default set)."""
    return DEFAULT.of_year(year).flag(name)


def day(name: str, year: int) -> date:
    """A date parameter for a tax year (default set)."""
    return DEFAULT.of_year(year).day(name)


def source(name: str, year: int | None = None) -> str:
    """The citation of a parameter for a tax year (default: the latest covered year)."""
    return DEFAULT.reference(name, max(DEFAULT.years) if year is None else year)
