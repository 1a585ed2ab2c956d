"""Runs the YAML boundary cases in tests/engine/cases through evaluate()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import evaluate, parse_profile

HERE = Path(__file__).parent / "cases"


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys."""


def _no_duplicates(loader: UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(k) for k, _ in node.value]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate keys {dup}", node.start_mark
        )
    return loader.construct_mapping(node)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `over` into a copy of `base`."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every case of every YAML file as (id, profile, expectations)."""
    out = []
    for path in sorted(HERE.glob("*.yaml")):
        doc = yaml.load(path.read_text(), Loader=UniqueKeyLoader)
        for case in doc["cases"]:
            out.append(
                (f"{path.stem}:{case['id']}", merge(doc["base"], case["profile"]), case["expect"])
            )
    return out


def key_of(item: dict[str, Any]) -> set[str]:
    """The names a list item answers to: an option id, an exception code, months after start."""
    return {str(item[k]) for k in ("id", "code", "after_months") if k in item}


def lookup(report: dict[str, Any], path: str) -> Any:
    """A dotted path into a report; in lists an item is picked by its id, code or months."""
    cur: Any = report
    for part in path.split("."):
        if isinstance(cur, list):
            cur = len(cur) if part == "count" else next(o for o in cur if part in key_of(o))
        else:
            cur = cur[part]
    return cur


CASES = load_cases()


@pytest.mark.parametrize(("cid", "profile", "expect"), CASES, ids=[c[0] for c in CASES])
def test_case(cid: str, profile: dict[str, Any], expect: dict[str, Any]) -> None:
    report = evaluate(parse_profile(profile)).model_dump(mode="json")
    for path, want in expect.items():
        got = lookup(report, path)
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            assert got == pytest.approx(want, abs=0.005), f"{cid} {path}: {got} != {want}"
        else:
            assert got == want, f"{cid} {path}: {got!r} != {want!r}"


def test_enough_boundary_cases() -> None:
    assert len(CASES) >= 60
