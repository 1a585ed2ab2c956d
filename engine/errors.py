"""The project's error tree, written out once.

Every error the advisor raises on purpose descends from ``AdvisorError``; anything else is
a bug. Messages never contain a salary, a balance or a token.

    AdvisorError                      base class
    ├── EngineError                   the rules engine refuses a request
    │   ├── InvalidProfile            the profile breaks a rule; ``fields`` names each bad
    │   │                             field: [{"field": "age", "message": "..."}]
    │   ├── UnsupportedYear           no parameters for that tax year; ``supported`` lists them
    │   └── ParameterError            a parameter file is malformed (unknown or duplicate key,
    │                                 a supported year without a value, no reference)
    ├── StoreError                    bot/store.py: the chat database (see there)
    │   ├── StoreCorrupt              not a database, malformed, or a newer schema
    │   ├── StoreLocked               locked longer than the busy timeout
    │   └── StoreWriteFailed          a write failed; the previous state is intact
    └── SettingsError                 bot/settings.py: a missing or malformed setting; the
                                      message names the variable and what is wrong
"""

from __future__ import annotations

from typing import Any


class AdvisorError(Exception):
    """Base class of every deliberate error in the project."""


class EngineError(AdvisorError):
    """The rules engine refuses a request."""

    code = "engine_error"

    def to_json(self) -> dict[str, Any]:
        """The error as the JSON object the command prints on stderr."""
        return {"error": self.code, "message": str(self)}


class InvalidProfile(EngineError):
    """The profile breaks one or more rules; every bad field is named."""

    code = "invalid_profile"

    def __init__(self, fields: list[dict[str, str]]) -> None:
        self.fields = fields
        super().__init__("; ".join(f"{f['field']}: {f['message']}" for f in fields))

    def to_json(self) -> dict[str, Any]:
        """The error with the list of bad fields."""
        return {"error": self.code, "fields": self.fields}


class UnsupportedYear(EngineError):
    """No parameters exist for the asked tax year; nothing is extrapolated."""

    code = "unsupported_year"

    def __init__(self, year: int, supported: list[int]) -> None:
        self.year = year
        self.supported = supported
        years = ", ".join(str(y) for y in supported)
        super().__init__(f"tax year {year} is not supported; supported years: {years}")

    def to_json(self) -> dict[str, Any]:
        """The error with the supported years."""
        return {
            "error": self.code,
            "year": self.year,
            "supported": self.supported,
            "message": str(self),
        }


class ParameterError(EngineError):
    """A parameter file is malformed."""

    code = "parameter_error"


class StoreError(AdvisorError):
    """The chat database failed; the message is safe to show an operator."""


class SettingsError(AdvisorError):
    """A missing or malformed setting; the message names the variable."""
