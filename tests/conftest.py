"""Test tiers: what runs real processes is marked `slow` here, in one place.

`make test-fast` runs `-m "not slow"` (the inner loop); `make test` and CI run everything.
A test is slow when it starts a real process (the engine command, the console, the bot, the
fake Bot API as a process, a fresh-clone install) or kills one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.postgres import PostgresServer, bindir

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
    "store/test_postgres.py",
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
        if rel.startswith(SLOW_FILES) or test in SLOW_TESTS or on_postgres(item):
            item.add_marker(pytest.mark.slow)


def on_postgres(item: pytest.Item) -> bool:
    """Whether a test needs the PostgreSQL server (a process the session starts)."""
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    return bool(names & {"postgres", "pg_url"}) or params.get("backend") == "postgres"


NO_POSTGRES = (
    "PostgreSQL server binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin, "
    "/usr/local/bin): install Debian's postgresql package to run the PostgreSQL tests"
)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole run (skipped without binaries; CI fails instead)."""
    found = bindir()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {NO_POSTGRES}")
        pytest.skip(NO_POSTGRES)
    server = PostgresServer(found)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """The URL of a new, empty PostgreSQL database."""
    return postgres.database()
