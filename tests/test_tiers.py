"""The slow tier is complete: a test file that starts processes is listed in conftest.py."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import SLOW_FILES, SLOW_TESTS

TESTS = Path(__file__).resolve().parent
STARTS_A_PROCESS = re.compile(r"\bsubprocess\b|\brun_piped\b|\bBotProcess\b|\brun_engine\b")


def test_every_process_starting_test_file_is_slow() -> None:
    unlisted = []
    for path in sorted(TESTS.rglob("test_*.py")):
        rel = path.relative_to(TESTS).as_posix()
        if not STARTS_A_PROCESS.search(path.read_text(encoding="utf-8")):
            continue
        if rel.startswith(SLOW_FILES) or any(t.startswith(rel + "::") for t in SLOW_TESTS):
            continue
        unlisted.append(rel)
    assert not unlisted, f"start processes but are not in conftest.SLOW_FILES: {unlisted}"
