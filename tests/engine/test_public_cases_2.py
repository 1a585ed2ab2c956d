"""The withdrawal, loan, Roth and SEPP cases of public-cases-2.json, through `python -m engine`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.engine.public_cases_2 import CASES_FILE_2, DESCRIPTIVE, NOT_MAPPED, TOPICS_2
from tests.engine.test_public_cases import run_engine

CASES: list[dict[str, Any]] = json.loads(CASES_FILE_2.read_text(encoding="utf-8"))
MAPPED = [c for c in CASES if c["topic"] in TOPICS_2]


def test_every_topic_is_mapped_or_said_why_not() -> None:
    topics = {c["topic"] for c in CASES}
    assert len(CASES) >= 27, f"expected the public cases at {CASES_FILE_2}"
    assert topics == set(TOPICS_2) | set(NOT_MAPPED), topics ^ (set(TOPICS_2) | set(NOT_MAPPED))
    assert len(MAPPED) >= 19


def test_every_expected_key_is_compared_or_descriptive() -> None:
    for case in MAPPED:
        checks = TOPICS_2[case["topic"]][1]
        loose = set(case["expected"]) - set(checks) - DESCRIPTIVE
        assert not loose, f"{case['id']}: neither compared nor descriptive: {sorted(loose)}"


@pytest.mark.parametrize("case", MAPPED, ids=[c["id"] for c in MAPPED])
def test_public_case_2(case: dict[str, Any]) -> None:
    build, checks = TOPICS_2[case["topic"]]
    report = run_engine(build(case["inputs"]))
    compared = 0
    for key, expected in case["expected"].items():
        if key not in checks or expected is None:
            continue
        got = checks[key](report)
        compared += 1
        if isinstance(expected, bool) or isinstance(got, bool) or isinstance(expected, str):
            assert got == expected, f"{case['id']}.{key}: got {got!r}, expected {expected!r}"
        else:
            assert got == pytest.approx(expected, abs=0.005), f"{case['id']}.{key}: got {got}"
    assert compared == len(set(case["expected"]) & set(checks)), case["id"]
    assert compared >= 1, f"{case['id']}: nothing compared"
