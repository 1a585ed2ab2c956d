"""Every worked case of tests/engine/data/public-cases.json, through `python -m engine evaluate`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.engine.public_cases import CASES_FILE, ROOT, TOPICS

CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))


def run_engine(profile: dict[str, Any]) -> dict[str, Any]:
    """The engine command as a real subprocess."""
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "evaluate", "-"],
        input=json.dumps(profile),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def test_the_public_cases_file_is_there() -> None:
    assert len(CASES) >= 29, f"expected the public cases at {CASES_FILE}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_case(case: dict[str, Any]) -> None:
    build, checks = TOPICS[case["topic"]]
    report = run_engine(build(case["inputs"]))
    compared = 0
    for key, expected in case["expected"].items():
        if key not in checks or expected is None:
            continue
        got = checks[key](report)
        if got is None:
            continue
        compared += 1
        if isinstance(expected, bool) or isinstance(got, bool) or isinstance(expected, str):
            assert got == expected, f"{case['id']}.{key}: got {got!r}, expected {expected!r}"
        else:
            assert got == pytest.approx(expected, abs=0.005), f"{case['id']}.{key}: got {got}"
    assert compared >= 1, f"{case['id']}: nothing compared"
