"""Undocumented means failing: docs/engine-interface.md names every Profile and Report field."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from typing_extensions import is_typeddict

from engine.profile import Profile
from engine.report import Report

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine-interface.md"
ROW = re.compile(r"^\|\s*`([a-z0-9_.\[\]]+)`\s*\|", re.MULTILINE)


def _models_in(annotation: Any) -> list[tuple[type, bool]]:
    """The models (pydantic or TypedDict) inside a type, each with whether it sits in a list."""
    found: list[tuple[type, bool]] = []
    origin = typing.get_origin(annotation)
    in_list = origin is list
    for arg in typing.get_args(annotation):
        found.extend((m, lst or in_list) for m, lst in _models_in(arg))
    if isinstance(annotation, type) and (
        issubclass(annotation, BaseModel) or is_typeddict(annotation)
    ):
        found.append((annotation, False))
    return found


def _fields(model: type, prefix: str = "") -> set[str]:
    """Every field path of a model: `a`, `a.b`, `a[].b`."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        items = {name: f.annotation for name, f in model.model_fields.items()}
    else:
        items = typing.get_type_hints(model, include_extras=True)
    out: set[str] = set()
    for name, annotation in items.items():
        path = prefix + name
        out.add(path)
        for sub, in_list in _models_in(annotation):
            out |= _fields(sub, path + ("[]." if in_list else "."))
    return out


def _documented(section: str) -> set[str]:
    """The field paths in the first column of a section's table."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {section}")
    end = text.find("\n## ", start + 1)
    return set(ROW.findall(text[start : end if end != -1 else None]))


def test_the_walk_finds_nested_and_list_fields() -> None:
    fields = _fields(Report)
    assert {"job_change.options[].if_not_made_up.penalty", "trace[].source"} <= fields
    assert {"match[].on_pay_percent", "balances.roth_basis"} <= _fields(Profile)


def test_every_profile_field_is_documented_and_nothing_else() -> None:
    fields, documented = _fields(Profile), _documented("Profile")
    assert not fields - documented, f"undocumented Profile fields: {sorted(fields - documented)}"
    assert not documented - fields, f"documented, not in Profile: {sorted(documented - fields)}"


def test_every_report_field_is_documented_and_nothing_else() -> None:
    fields, documented = _fields(Report), _documented("Report")
    assert not fields - documented, f"undocumented Report fields: {sorted(fields - documented)}"
    assert not documented - fields, f"documented, not in Report: {sorted(documented - fields)}"
