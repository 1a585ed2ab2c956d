"""One home for words: short texts keyed by name in templates/messages.toml, rendered by jinja2.

Every sentence a person reads lives in ``templates/``: a section of the answer as a ``*.j2``
template, anything shorter (a question, its example, a re-ask, a label, an apology, help) as a
named entry of ``templates/messages.toml``. Legal numbers reach either only through the
``param("name")`` global, which formats the engine's parameter for the tax year in the
rendering context (``tax_year``, or the report ``r``). The person's own text is only ever a
value (autoescaped), never template source. ``ENV`` is the one jinja2 environment of both.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from bot.formats import long_date, money, month_day, number, percent
from engine import parameters as params

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MESSAGES_FILE = TEMPLATES / "messages.toml"
# [label.<kind>] tables hold the plain wording of codes; this one holds texts with values.
PHRASES = "phrase"


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


# --- legal numbers ----------------------------------------------------------------------------


def latest_year() -> int:
    """The newest tax year the parameters cover (for wording asked without a year)."""
    return max(params.SUPPORTED_YEARS)


def param_value(
    name: str, year: int, index: int | str | None = None, field: str | None = None
) -> Any:
    """A legal number of the year as data: one entry of a list or table by index, then field."""
    value = params.get(name, year)
    if index is not None:
        value = value[index]
    if field is not None:
        value = value[field]
    return value


def param_text(
    name: str, year: int, index: int | str | None = None, field: str | None = None
) -> str:
    """A legal number of the year as a person reads it: $50,000, 20%, 60, 59½, April 1."""
    value = param_value(name, year, index, field)
    unit = params.load_all()[name].unit
    if isinstance(value, bool):
        raise WordingError(f"{name} is a yes/no parameter; it has no wording")
    if isinstance(value, date):
        return long_date(value)
    if unit == "month_day" and isinstance(value, list) and len(value) == 2:
        return month_day(int(value[0]), int(value[1]))
    if unit == "years_months" and isinstance(value, dict):
        years, months = Decimal(value["years"]), Decimal(value["months"])
        if months in (0, 6):
            return number(years) + ("½" if months == 6 else "")
        return text("label.phrase.years_months", years=number(years), months=number(months))
    if not isinstance(value, Decimal):
        raise WordingError(f"{name} ({unit}) needs an index or has no single wording")
    if unit == "usd":
        return money(value)
    if unit == "rate":
        return percent(value * 100)
    if unit == "percent":
        return percent(value)
    return number(value)


class ParamText(str):
    """What param() gives a template: the number as read, and its `.value` for conditions."""

    value: Any

    def __new__(cls, text: str, value: Any) -> ParamText:
        """The text, carrying the parameter's value."""
        obj = super().__new__(cls, text)
        obj.value = value
        return obj


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
def _param(
    ctx: Context, name: str, index: int | str | None = None, field: str | None = None
) -> ParamText:
    """The `param("name")` global of every template and message."""
    year = _year_of(ctx)
    return ParamText(param_text(name, year, index, field), param_value(name, year, index, field))


# --- codes in plain words ---------------------------------------------------------------------


@cache
def label_kinds() -> tuple[str, ...]:
    """The kinds of code with a [label.<kind>] table (option, reason, term, ...)."""
    kinds = {key.split(".")[1] for key in messages() if key.startswith("label.")}
    return tuple(sorted(kinds - {PHRASES}))


@cache
def label_codes(kind: str) -> tuple[str, ...]:
    """The codes of one kind, in the order of templates/messages.toml."""
    if kind not in label_kinds():
        raise WordingError(f"no [label.{kind}] table in {MESSAGES_FILE.name}")
    prefix = f"label.{kind}."
    return tuple(key[len(prefix) :] for key in messages() if key.startswith(prefix))


def label(code: str | None, kind: str, year: int | None = None) -> str:
    """The plain-English wording of an engine code; legal numbers from the year's data."""
    if code is None:
        return ""
    key = f"label.{kind}.{code}"
    if not has(key):
        label_codes(kind)  # an unknown kind is an error; an unknown code reads as words
        return code.replace("_", " ")
    return text(key, tax_year=year if year is not None else latest_year())


@pass_context
def _label_filter(ctx: Context, code: str | None, kind: str) -> str:
    """The `label` filter: the tax year is the rendering's (its tax_year or report)."""
    year = ctx.get("tax_year")
    if year is None:
        year = getattr(ctx.get("r"), "tax_year", None)
    return label(code, kind, year)


def date_text(value: date | None) -> str:
    """April 15, 2027; a missing date in words."""
    return text("label.phrase.unknown_date") if value is None else long_date(value)


# --- the environment --------------------------------------------------------------------------


def install(env: Environment) -> None:
    """Give an environment the param() global and the usd, pct, date, number, label filters."""
    env.globals["param"] = _param
    env.filters.update(usd=money, pct=percent, date=date_text, number=number, label=_label_filter)


ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    auto_reload=False,  # templates ship with the package: no file check on every render
)
install(ENV)


@cache
def _compiled(key: str) -> Template:
    """The compiled template of one message."""
    try:
        source = messages()[key]
    except KeyError:
        raise WordingError(f"no message named {key!r} in {MESSAGES_FILE.name}") from None
    return ENV.from_string(source)


@cache
def _plain(key: str) -> str | None:
    """The message as it reads when its source has no jinja2 syntax at all, else None."""
    source = messages().get(key)
    if source is None or any(mark in source for mark in ("{{", "{%", "{#")):
        return None
    # what rendering gives: the text itself, one final newline dropped (keep_trailing_newline)
    return source[:-1] if source.endswith("\n") else source


def say(key: str, /, *, tax_year: int | None = None, **values: Any) -> str:
    """The message `key` as Telegram HTML, its {{ placeholders }} filled (autoescaped)."""
    plain = _plain(key)
    if plain is not None:
        return plain
    return str(_compiled(key).render(tax_year=tax_year, **values))


def text(key: str, /, *, tax_year: int | None = None, **values: Any) -> str:
    """The message `key` as plain text, for a template that escapes it where it is shown.

    Its values are our own plain texts and numbers, inserted as they are (no HTML escaping
    here, so nothing is escaped twice).
    """
    plain = _plain(key)
    if plain is not None:
        return plain
    safe = {k: Markup(v) if isinstance(v, str) else v for k, v in values.items()}
    return str(_compiled(key).render(tax_year=tax_year, **safe))


def has(key: str) -> bool:
    """Whether templates/messages.toml defines `key`."""
    return key in messages()


__all__ = [
    "ENV",
    "MESSAGES_FILE",
    "TEMPLATES",
    "Markup",
    "ParamText",
    "WordingError",
    "date_text",
    "has",
    "install",
    "label",
    "label_codes",
    "label_kinds",
    "latest_year",
    "messages",
    "param_text",
    "param_value",
    "say",
    "text",
]
