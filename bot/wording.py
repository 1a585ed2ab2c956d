"""One home for words: short texts keyed by name in templates/messages.toml, rendered by jinja2.

Every sentence a person reads lives in ``templates/``: a section of the answer as a ``*.j2``
template, anything shorter (a question, its example, a re-ask, a label, an apology, help) as a
named entry of ``templates/messages.toml``. Legal numbers reach either only through the
``param("name")`` global, which formats the engine's parameter for the tax year in the
rendering context (``tax_year``, or the report ``r``). The person's own text is only ever a
value (autoescaped), never template source.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from engine import parameters as params

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MESSAGES_FILE = TEMPLATES / "messages.toml"


class WordingError(KeyError):
    """A message key that templates/messages.toml does not define."""


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested TOML tables as dotted keys: [question.age] text = ... -> 'question.age.text'."""
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, str):
            out[name] = value
        else:
            raise WordingError(f"{MESSAGES_FILE.name}: {name} is not text")
    return out


@cache
def messages() -> dict[str, str]:
    """Every named text of templates/messages.toml, by dotted key."""
    return _flatten(tomllib.loads(MESSAGES_FILE.read_text(encoding="utf-8")))


def _money(value: Decimal) -> str:
    """$1,234 when whole, $1,234.56 otherwise."""
    d = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{abs(d):,.2f}"
    return ("-$" if d < 0 else "$") + (text[:-3] if text.endswith(".00") else text)


def _plain_number(value: Decimal) -> str:
    """A number without trailing zeros: 55.0 -> 55, 0.5 -> 0.5."""
    d = value.normalize()
    return f"{d:f}" if d != 0 else "0"


def param_text(name: str, year: int, index: int | None = None) -> str:
    """A legal number of the year as a person reads it: $50,000, 20%, 60, April 1."""
    value = params.get(name, year)
    if index is not None:
        value = value[index]
    unit = params.load_all()[name].unit
    if isinstance(value, bool):
        raise WordingError(f"{name} is a yes/no parameter; it has no wording")
    if isinstance(value, date):
        return f"{value:%B} {value.day}, {value.year}"
    if unit == "years_months" and isinstance(value, dict):
        years, months = Decimal(value["years"]), Decimal(value["months"])
        if months in (0, 6):
            return _plain_number(years) + ("½" if months == 6 else "")
        return f"{_plain_number(years)} years and {_plain_number(months)} months"
    if not isinstance(value, Decimal):
        raise WordingError(f"{name} ({unit}) needs an index or has no single wording")
    if unit == "usd":
        return _money(value)
    if unit == "rate":
        return _plain_number(value * 100) + "%"
    if unit == "percent":
        return _plain_number(value) + "%"
    return _plain_number(value)


def _year_of(ctx: Context) -> int:
    """The tax year of a rendering: `tax_year` in the context, else the report's."""
    year = ctx.get("tax_year")
    if year is None:
        report = ctx.get("r")
        year = getattr(report, "tax_year", None)
    if not isinstance(year, int):
        raise WordingError("param() needs tax_year (or the report r) in the rendering context")
    return year


@pass_context
def _param(ctx: Context, name: str, index: int | None = None) -> str:
    """The `param("name")` global of every template and message."""
    return param_text(name, _year_of(ctx), index)


def install(env: Environment) -> None:
    """Give a jinja2 environment the param() global (the only way a legal number gets in)."""
    env.globals["param"] = _param


ENV = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
install(ENV)


@cache
def _compiled(key: str) -> Any:
    """The compiled template of one message."""
    try:
        source = messages()[key]
    except KeyError:
        raise WordingError(f"no message named {key!r} in {MESSAGES_FILE.name}") from None
    return ENV.from_string(source)


def say(key: str, /, *, tax_year: int | None = None, **values: Any) -> str:
    """The message `key` as Telegram HTML, its {{ placeholders }} filled (autoescaped)."""
    return str(_compiled(key).render(tax_year=tax_year, **values))


def has(key: str) -> bool:
    """Whether templates/messages.toml defines `key`."""
    return key in messages()


__all__ = [
    "MESSAGES_FILE",
    "Markup",
    "WordingError",
    "has",
    "install",
    "messages",
    "param_text",
    "say",
]
