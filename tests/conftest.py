"""Test tiers: what runs real processes is marked `slow` here, in one place.

`make test-fast` runs `-m "not slow"` (the inner loop); `make test` and CI run everything.
A test is slow when it starts a real process (the engine command, the console, the bot, the
fake Bot API as a process, a fresh-clone install) or kills one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent

# `make test-fast` sets HYPOTHESIS_PROFILE=fast: fewer generated examples for the inner loop.
settings.register_profile("fast", max_examples=15)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Whole files whose tests each start a real process.
SLOW_FILES = (
    "deploy/",
    "faults/",
    "operate/",
    "dialogue/test_console.py",
    "dialogue/test_console_exit.py",
    "dialogue/test_job_change_people.py",
    "dialogue/test_saving_retiring_people.py",
    "engine/test_saving_command.py",
    "dialogue/test_money_out_paths.py",
    "engine/test_changed_parameter.py",
    "engine/test_command.py",
    "engine/test_next_year.py",
    "engine/test_public_cases.py",
    "engine/test_public_cases_2.py",
    "telegram/test_bot_e2e.py",
    "telegram/test_money_out_e2e.py",
    "telegram/test_native_e2e.py",
)
# Single tests elsewhere that start or kill a process.
SLOW_TESTS = (
    "store/test_store.py::test_acknowledged_answers_survive_sigkill",
    "engine/test_filing_statuses.py::test_the_engine_command_taxes_both_statuses",
    "telegram/test_fake_api.py::test_cli_process_serves_controls_and_stops_on_sigterm",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the process-starting tests `slow`."""
    for item in items:
        rel = Path(str(item.path)).resolve().relative_to(TESTS).as_posix()
        test = f"{rel}::{item.originalname if isinstance(item, pytest.Function) else item.name}"
        if rel.startswith(SLOW_FILES) or test in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
