"""Code health of the parameter files: every year, every reference, strict keys."""

from __future__ import annotations

import pytest

from engine import parameters as P
from engine.errors import ParameterError, UnsupportedYear


def test_every_parameter_has_every_year_and_a_reference() -> None:
    table = P.load_all()
    assert len(table) >= 30
    for name, param in table.items():
        assert set(param.values) == set(P.SUPPORTED_YEARS), name
        assert param.reference.strip(), name
        assert param.description.strip(), name


def test_unknown_key_rejected() -> None:
    text = (
        '[x]\ndescription="d"\nunit="usd"\nreference="r"\nvalues={2024=1,2025=1,2026=1}\nextra=1\n'
    )
    with pytest.raises(ParameterError, match="unknown keys"):
        P.parse_entries(text, "t")


def test_duplicate_key_rejected() -> None:
    text = '[x]\ndescription="d"\ndescription="e"\nunit="u"\nreference="r"\nvalues={}\n'
    with pytest.raises(ParameterError):
        P.parse_entries(text, "t")


def test_missing_year_rejected() -> None:
    text = '[x]\ndescription="d"\nunit="usd"\nreference="r"\nvalues={2024=1,2025=1}\n'
    with pytest.raises(ParameterError, match="lacks a value for \\[2026\\]"):
        P.parse_entries(text, "t")


def test_missing_reference_rejected() -> None:
    text = '[x]\ndescription="d"\nunit="usd"\nreference=" "\nvalues={2024=1,2025=1,2026=1}\n'
    with pytest.raises(ParameterError, match="no reference"):
        P.parse_entries(text, "t")


def test_unsupported_year_is_an_error_not_a_guess() -> None:
    with pytest.raises(UnsupportedYear):
        P.amount("deferral_402g", 2027)
