"""The chat store on real databases: the contract on SQLite and PostgreSQL, then SQLite's own."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

import bot.store as store_module
from bot.pgstore import PostgresStore
from bot.store import (
    MIGRATIONS,
    ChatStore,
    SQLiteStore,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreWriteFailed,
)
from tests.store.conftest import Backend

AnyStore = SQLiteStore | PostgresStore

ROOT = Path(__file__).resolve().parents[2]
QUEUES = {"inbox": 0, "outbox": 0}  # the Telegram inbox and outbox, empty in these tests
START = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A settable clock for the store."""

    def __init__(self, now: datetime = START) -> None:
        """Start at the given time."""
        self.now = now

    def __call__(self) -> datetime:
        """Return the current fake time."""
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database path inside a not-yet-existing directory."""
    return tmp_path / "data" / "chats.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[SQLiteStore]:
    """An open store that is closed after the test."""
    s = SQLiteStore(db_path)
    yield s
    s.close()


def raw_counts(path: Path, chat_id: int) -> dict[str, int]:
    """Count a chat's rows in every table that has a chat_id column, via plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {}
        for table in tables:
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
            if "chat_id" in columns:
                sql = f"SELECT count(*) FROM [{table}] WHERE chat_id = ?"
                counts[table] = conn.execute(sql, [chat_id]).fetchone()[0]
        return counts
    finally:
        conn.close()


def stored_version(path: Path) -> str:
    """Read the schema version straight from the file."""
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
    finally:
        conn.close()


# ---------------------------------------------------------------- basics


def test_save_load_round_trip(backend: Backend) -> None:
    clock = FakeClock()
    with backend.open(clock=clock) as s:
        assert isinstance(s, ChatStore)
        assert s.load(7) is None
        state = {"step": "balance", "answers": {"balance": "12345.67", "age": 41}, "n": [1, 2]}
        s.save(7, state)
        rec = s.load(7)
        assert rec is not None
        assert (rec.chat_id, rec.state, rec.active) == (7, state, True)
        assert rec.created_at == rec.updated_at == "2025-01-01T12:00:00.000000+00:00"
        clock.advance(hours=1)
        s.save(7, {"step": "done"})
        rec = s.load(7)
        assert rec is not None
        assert rec.state == {"step": "done"}
        assert rec.created_at == "2025-01-01T12:00:00.000000+00:00"
        assert rec.updated_at == "2025-01-01T13:00:00.000000+00:00"


def test_state_survives_close_and_reopen(backend: Backend) -> None:
    s = backend.open()
    s.save(-1001234567890, {"k": "v", "nested": {"x": [True, None, 1.5]}})
    s.close()
    s.close()  # idempotent
    with backend.open() as again:
        rec = again.load(-1001234567890)
        assert rec is not None
        assert rec.state == {"k": "v", "nested": {"x": [True, None, 1.5]}}


def test_state_json_is_canonical(any_store: AnyStore, backend: Backend) -> None:
    any_store.save(1, {"b": 1, "a": [1, 2]})
    raw = backend.raw("SELECT state FROM chats WHERE chat_id=1")[0][0]
    assert raw == '{"a":[1,2],"b":1}'


@pytest.mark.parametrize(("mode", "code"), [("FULL", 2), ("NORMAL", 1)])
def test_pragmas_are_set(db_path: Path, mode: Any, code: int) -> None:
    with SQLiteStore(db_path, synchronous=mode, busy_timeout_ms=1234) as s:
        conn = s.connection
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == code
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 1234
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    other = sqlite3.connect(db_path)  # WAL is persistent in the file
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()


def test_unserialisable_state_raises_type_error_and_changes_nothing(any_store: AnyStore) -> None:
    any_store.save(1, {"ok": True})
    for bad in ({"s": {1, 2}}, {"f": float("nan")}, {"b": b"bytes"}):
        with pytest.raises(TypeError):
            any_store.save(1, bad)
        with pytest.raises(TypeError):
            any_store.apply(1, 99, bad)
    assert any_store.load(1).state == {"ok": True}  # type: ignore[union-attr]
    assert not any_store.was_processed(99)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(state=st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_any_json_state_round_trips(any_store: AnyStore, state: dict[str, Any]) -> None:
    any_store.save(5, state)
    rec = any_store.load(5)
    assert rec is not None
    assert rec.state == state


# ---------------------------------------------------------------- apply / idempotency


def test_apply_new_update_records_id_and_state(any_store: AnyStore, backend: Backend) -> None:
    assert not any_store.was_processed(500)
    assert any_store.apply(1, 500, {"answer": 1}) is True
    assert any_store.was_processed(500)
    assert any_store.load(1).state == {"answer": 1}  # type: ignore[union-attr]
    (row,) = backend.raw("SELECT chat_id, processed_at FROM processed_updates WHERE update_id=500")
    assert row[0] == 1
    if backend.kind == "sqlite":
        assert str(row[1]).endswith("+00:00")
    else:
        assert row[1].tzinfo is not None  # a timestamptz: an instant, whatever the zone


def test_apply_duplicate_update_changes_nothing(any_store: AnyStore) -> None:
    assert any_store.apply(1, 500, {"answer": 1})
    before = any_store.load(1)
    assert any_store.apply(1, 500, {"answer": "different"}) is False
    assert any_store.apply(2, 500, {"answer": "other chat"}) is False
    assert any_store.load(1) == before
    assert any_store.load(2) is None
    assert any_store.stats()["processed_updates"] == 1


def test_apply_without_update_id_only_saves(any_store: AnyStore) -> None:
    assert any_store.apply(1, None, {"a": 1})
    assert any_store.apply(1, None, {"a": 2})
    assert any_store.load(1).state == {"a": 2}  # type: ignore[union-attr]
    assert any_store.stats()["processed_updates"] == 0


def test_apply_is_atomic_when_the_write_fails(store: SQLiteStore) -> None:
    store.apply(1, 1, {"a": 1})
    page_count = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {page_count}")
    with pytest.raises(StoreWriteFailed):
        store.apply(1, 2, {"big": "x" * 200_000})
    assert not store.was_processed(2)  # neither the id ...
    assert store.load(1).state == {"a": 1}  # type: ignore[union-attr]  # ... nor the state
    assert not store.connection.in_transaction


# ---------------------------------------------------------------- forget / activity / purge


def test_forget_deletes_every_row_of_the_chat_only(any_store: AnyStore, backend: Backend) -> None:
    store = any_store
    for update_id in (10, 11, 12):
        store.apply(1, update_id, {"who": "one", "u": update_id})
    store.apply(2, 20, {"who": "two"})
    store.save(3, {"who": "three"})
    assert backend.counts(1) == {"chats": 1, "processed_updates": 3, **QUEUES}

    assert store.forget(1) == 4
    assert backend.counts(1) == {"chats": 0, "processed_updates": 0, **QUEUES}
    assert backend.counts(2) == {"chats": 1, "processed_updates": 1, **QUEUES}
    assert backend.counts(3) == {"chats": 1, "processed_updates": 0, **QUEUES}
    assert store.load(1) is None
    assert store.load(2).state == {"who": "two"}  # type: ignore[union-attr]
    assert store.forget(1) == 0
    assert store.forget(999) == 0


def test_forget_leaves_no_copy_of_the_state_in_the_files(store: SQLiteStore, db_path: Path) -> None:
    store.save(1, {"secret": "MARKER-7f3a9c"})
    store.forget(1)
    for suffix in ("", "-wal"):
        file = Path(str(db_path) + suffix)
        if file.exists():
            assert b"MARKER-7f3a9c" not in file.read_bytes()


def test_set_active(any_store: AnyStore) -> None:
    any_store.save(1, {"a": 1})
    before = any_store.load(1)
    any_store.set_active(1, False)
    rec = any_store.load(1)
    assert rec is not None and rec.active is False
    assert rec.updated_at == before.updated_at  # type: ignore[union-attr]
    any_store.set_active(1, True)
    assert any_store.load(1).active is True  # type: ignore[union-attr]
    any_store.set_active(2, False)  # unknown chat: no row is created
    assert any_store.load(2) is None
    any_store.set_active(1, False)
    any_store.save(1, {"a": 2})  # a new answer means the user is back
    assert any_store.load(1).active is True  # type: ignore[union-attr]


def test_purge_inactive_with_injected_clock(backend: Backend) -> None:
    clock = FakeClock()
    with backend.open(clock=clock) as s:
        s.apply(1, 101, {"c": 1})  # day 0
        clock.advance(days=10)
        s.apply(2, 201, {"c": 2})  # day 10
        clock.advance(days=20)
        s.apply(3, 301, {"c": 3})  # day 30
        assert s.chats_inactive_since(START + timedelta(days=5)) == [1]
        assert s.chats_inactive_since(START + timedelta(days=25)) == [1, 2]
        assert s.chats_inactive_since(START.replace(tzinfo=None)) == []

        assert s.purge_inactive(days=25) == 1  # cutoff day 5
        assert s.load(1) is None and not s.was_processed(101)
        assert s.load(2) is not None and s.was_processed(201)
        assert s.purge_inactive(days=25) == 0
        clock.advance(days=30)  # now day 60, cutoff day 35
        assert s.purge_inactive(days=25) == 2
        assert s.stats()["chats"] == 0
        assert s.stats()["processed_updates"] == 0
        with pytest.raises(ValueError):
            s.purge_inactive(days=-1)


def test_prune_processed(backend: Backend) -> None:
    clock = FakeClock()
    with backend.open(clock=clock) as s:
        s.apply(1, 1, {"a": 1})
        clock.advance(days=3)
        s.apply(1, 2, {"a": 2})
        clock.advance(days=5)  # now day 8
        assert s.prune_processed(keep_days=7) == 1
        assert not s.was_processed(1) and s.was_processed(2)
        assert s.load(1).state == {"a": 2}  # type: ignore[union-attr]
        assert s.prune_processed() == 0


# ---------------------------------------------------------------- durability under SIGKILL

CHILD = textwrap.dedent(
    """
    import sys
    from bot.store import SQLiteStore

    store = SQLiteStore(sys.argv[1], synchronous=sys.argv[2])
    answers = []
    for i in range(200):
        answers.append(i)
        store.apply(42, 1000 + i, {"answers": answers, "last": i})
        print(f"ACK {i}", flush=True)
    sys.stdin.read()  # stay alive until killed
    """
)


@pytest.mark.parametrize("mode", ["FULL", "NORMAL"])
def test_acknowledged_answers_survive_sigkill(db_path: Path, mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), mode],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked = -1
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            assert line.startswith("ACK "), line
            acked = int(line.split()[1])
            if acked >= 99:
                break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read() if proc.stderr else ""
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    assert acked == 99, stderr
    assert proc.returncode == -signal.SIGKILL

    with SQLiteStore(db_path) as s:
        rec = s.load(42)
        assert rec is not None
        last = rec.state["last"]
        assert last >= acked
        assert rec.state["answers"] == list(range(last + 1))
        assert all(s.was_processed(1000 + i) for i in range(acked + 1))


# ---------------------------------------------------------------- damaged and foreign files


def test_random_bytes_file_is_reported_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "noise.sqlite3"
    path.write_bytes(os.urandom(16384))
    with pytest.raises(StoreCorrupt) as info:
        SQLiteStore(path)
    assert str(path) in str(info.value)
    assert "not a SQLite database" in str(info.value)
    assert path.read_bytes()[:16] != b"SQLite format 3\x00" and path.stat().st_size == 16384


def test_truncated_database_is_reported_corrupt(db_path: Path) -> None:
    with SQLiteStore(db_path) as s:
        for chat_id in range(300):
            s.save(chat_id, {"pad": "p" * 2000, "id": chat_id})
    size = db_path.stat().st_size
    assert size > 100_000
    with open(db_path, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(StoreCorrupt) as info:
        SQLiteStore(db_path)
    assert str(db_path) in str(info.value)


def test_newer_schema_version_is_refused(backend: Backend) -> None:
    backend.open().close()
    backend.raw("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(StoreCorrupt) as info:
        backend.open()
    message = str(info.value)
    assert "schema version 99 is newer than this program supports (2)" in message
    assert (str(backend.path) if backend.kind == "sqlite" else "127.0.0.1") in message
    assert backend.raw("SELECT value FROM meta WHERE key='schema_version'") == [("99",)]


def test_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE chats (x)")
    conn.close()
    with pytest.raises(StoreCorrupt, match="no schema version"):
        SQLiteStore(path)


def test_unopenable_path_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        SQLiteStore(tmp_path)  # a directory
    assert str(tmp_path) in str(info.value)


# ---------------------------------------------------------------- locks and failed writes


def test_locked_database_on_write_keeps_previous_state(db_path: Path) -> None:
    with SQLiteStore(db_path) as s:
        s.save(1, {"v": "old"})
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        s = SQLiteStore(db_path, busy_timeout_ms=100)  # WAL: readers still get in
        with pytest.raises(StoreLocked) as info:
            s.save(1, {"v": "new"})
        assert str(db_path) in str(info.value)
        with pytest.raises(StoreLocked):
            s.apply(1, 7, {"v": "new"})
        with pytest.raises(StoreLocked):
            s.forget(1)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    try:
        assert s.load(1).state == {"v": "old"}  # type: ignore[union-attr]
        assert not s.was_processed(7)
        assert s.apply(1, 7, {"v": "new"})
        assert s.load(1).state == {"v": "new"}  # type: ignore[union-attr]
    finally:
        s.close()


def test_locked_database_on_open(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    blocker = sqlite3.connect(path, isolation_level=None)  # rollback journal: blocks readers
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLocked) as info:
            SQLiteStore(path, busy_timeout_ms=100)
        assert str(path) in str(info.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with SQLiteStore(path, busy_timeout_ms=100) as s:
        assert s.healthy()


def test_disk_full_write_fails_and_keeps_previous_state(store: SQLiteStore) -> None:
    store.save(1, {"v": "previous"})
    page_count = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {page_count}")
    with pytest.raises(StoreWriteFailed) as info:
        store.save(1, {"v": "SECRET-ANSWER-" * 50_000})
    assert "SECRET-ANSWER" not in str(info.value)
    assert "full" in str(info.value)
    assert str(store.path) in str(info.value)
    assert store.load(1).state == {"v": "previous"}  # type: ignore[union-attr]
    store.save(1, {"v": "small"})  # a write that fits still works
    assert store.load(1).state == {"v": "small"}  # type: ignore[union-attr]


def test_read_only_write_fails(store: SQLiteStore) -> None:
    store.save(1, {"v": "previous"})
    store.connection.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreWriteFailed, match="readonly"):
        store.save(1, {"v": "new"})
    store.connection.execute("PRAGMA query_only = OFF")
    assert store.load(1).state == {"v": "previous"}  # type: ignore[union-attr]


# ---------------------------------------------------------------- migrations


def test_empty_file_is_migrated_to_current_version(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with SQLiteStore(path) as s:
        assert s.healthy()
        s.save(1, {"a": 1})
    assert stored_version(path) == str(SQLiteStore.SCHEMA_VERSION) == "2"
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"meta", "chats", "processed_updates", "inbox", "outbox"} <= names
    assert {"idx_processed_updates_chat_id", "idx_processed_updates_processed_at"} <= names


def test_migrations_run_in_order_from_the_stored_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SQLiteStore(db_path) as s:
        s.save(1, {"a": 1})

    calls: list[str] = []

    def add_notes(db: Database) -> None:
        calls.append("3")
        db.execute("CREATE TABLE notes (chat_id INTEGER NOT NULL, body TEXT)")

    class StoreV3(SQLiteStore):
        SCHEMA_VERSION = 3

    migrations: list[Callable[[Database], None]] = [*MIGRATIONS, add_notes]
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations)
    with StoreV3(db_path) as s:
        assert calls == ["3"]  # migrations 1 and 2 were not re-run
        assert s.load(1).state == {"a": 1}  # type: ignore[union-attr]
        s.connection.execute("INSERT INTO notes VALUES (1, 'n'), (2, 'm')")
        assert s.forget(1) == 2  # a table added later is covered by forget
    assert stored_version(db_path) == "3"
    assert raw_counts(db_path, 2) == {"chats": 0, "notes": 1, "processed_updates": 0, **QUEUES}
    with StoreV3(db_path):
        assert calls == ["3"]  # nothing left to do
    with pytest.raises(StoreCorrupt, match="schema version 3 is newer"):
        SQLiteStore(db_path)


def test_failed_migration_rolls_back(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    SQLiteStore(db_path).close()

    def broken(db: Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    class StoreV3(SQLiteStore):
        SCHEMA_VERSION = 3

    monkeypatch.setattr(store_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(RuntimeError, match="boom"):
        StoreV3(db_path)
    assert stored_version(db_path) == "2"
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='half_done'").fetchone() is None
    conn.close()


# ---------------------------------------------------------------- backup, health, stats, close


def test_backup_creates_a_copy_with_the_same_chats(store: SQLiteStore, tmp_path: Path) -> None:
    for chat_id in range(20):
        store.apply(chat_id, chat_id + 1000, {"id": chat_id})
    dest = tmp_path / "backups" / "copy.sqlite3"
    store.backup(dest)
    assert dest.exists()
    assert not list(dest.parent.glob(".*partial*"))
    with SQLiteStore(dest) as copy:
        assert copy.stats()["chats"] == 20
        for chat_id in range(20):
            assert copy.load(chat_id).state == {"id": chat_id}  # type: ignore[union-attr]
            assert copy.was_processed(chat_id + 1000)
    with pytest.raises(FileExistsError):
        store.backup(dest)
    store.save(0, {"id": "changed"})  # the source is still usable
    assert store.load(0).state == {"id": "changed"}  # type: ignore[union-attr]


def test_healthy_stats_and_close(store: SQLiteStore, db_path: Path) -> None:
    assert store.healthy()
    assert store.stats()["chats"] == 0
    store.apply(1, 1, {"a": 1})
    store.apply(2, 2, {"a": 2})
    stats = store.stats()
    assert stats["chats"] == 2
    assert stats["processed_updates"] == 2
    assert stats["file_size_bytes"] == db_path.stat().st_size > 0
    assert set(stats) == {"chats", "processed_updates", "file_size_bytes", "wal_size_bytes"}
    store.close()
    assert not store.healthy()
    with pytest.raises(StoreError, match="closed"):
        store.load(1)
    with pytest.raises(StoreError, match="closed"):
        store.save(1, {})


def test_in_memory_store_works() -> None:
    with SQLiteStore(":memory:") as s:
        assert s.apply(1, 1, {"a": 1})
        assert not s.apply(1, 1, {"a": 2})
        assert s.load(1).state == {"a": 1}  # type: ignore[union-attr]
