"""PostgreSQL's own: migrations, several workers at once, claims, and what an operator sees."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

import bot.pgstore as pg_module
from bot.pgstore import ChatClaims, PostgresStore, describe_url
from bot.settings import SettingsError, load_settings
from bot.store import Outgoing, Received, StoreCorrupt, StoreError, Turn
from bot.telegram.logs import Redact, url_secrets

ROOT = Path(__file__).resolve().parents[2]


def raw(url: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of one statement on a connection of its own."""
    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params or [])  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []


def version(url: str) -> str:
    """The schema version stored in the database."""
    return str(raw(url, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0])


def together(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(i) in n threads released at the same moment; their results (or exceptions)."""
    gate = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        gate.wait()
        try:
            out[i] = work(i)
        except Exception as exc:  # reported to the test, not lost in the thread
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


# ---------------------------------------------------------------- schema


def test_an_empty_database_gets_every_table_at_the_current_version(pg_url: str) -> None:
    with PostgresStore(pg_url) as s:
        assert s.healthy()
    assert version(pg_url) == str(PostgresStore.SCHEMA_VERSION) == "2"
    tables = {
        r[0] for r in raw(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname='public'")
    }
    assert {"meta", "chats", "processed_updates", "inbox", "outbox"} <= tables
    indexes = {r[0] for r in raw(pg_url, "SELECT indexname FROM pg_indexes")}
    assert {"idx_inbox_chat_id", "idx_outbox_chat_id", "idx_chats_updated_at"} <= indexes


def test_migrations_run_in_order_from_the_stored_version(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with PostgresStore(pg_url) as s:
        s.save(1, {"a": 1})
    calls: list[str] = []

    def add_notes(cur: psycopg.Cursor[Any]) -> None:
        calls.append("3")
        cur.execute("CREATE TABLE notes (chat_id BIGINT NOT NULL, body TEXT)")

    class StoreV3(PostgresStore):
        SCHEMA_VERSION = 3

    monkeypatch.setattr(pg_module, "PG_MIGRATIONS", [*pg_module.PG_MIGRATIONS, add_notes])
    with StoreV3(pg_url) as s:
        assert calls == ["3"]  # 1 and 2 were not run again
        assert s.load_state(1) == {"a": 1}
        raw(pg_url, "INSERT INTO notes VALUES (1, 'n'), (2, 'm')")
        assert s.forget(1) == 2  # a table added later is covered by forget
    assert version(pg_url) == "3"
    with StoreV3(pg_url):
        assert calls == ["3"]
    with pytest.raises(StoreCorrupt, match="schema version 3 is newer than this program"):
        PostgresStore(pg_url)


def test_a_failed_migration_changes_nothing(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    PostgresStore(pg_url).close()

    def broken(cur: psycopg.Cursor[Any]) -> None:
        cur.execute("CREATE TABLE half_done (x INT)")
        raise RuntimeError("boom")

    class StoreV3(PostgresStore):
        SCHEMA_VERSION = 3

    monkeypatch.setattr(pg_module, "PG_MIGRATIONS", [*pg_module.PG_MIGRATIONS, broken])
    with pytest.raises(RuntimeError, match="boom"):
        StoreV3(pg_url)
    assert version(pg_url) == "2"
    assert raw(pg_url, "SELECT to_regclass('half_done')") == [(None,)]


def test_workers_starting_together_migrate_once(pg_url: str) -> None:
    stores = together(5, lambda i: PostgresStore(pg_url, pool_size=1))
    assert all(isinstance(s, PostgresStore) for s in stores), stores
    for s in stores:
        s.close()
    assert version(pg_url) == "2"
    assert raw(pg_url, "SELECT count(*) FROM meta") == [(1,)]


def test_tables_of_the_bot_without_a_version_are_refused(pg_url: str) -> None:
    raw(pg_url, "CREATE TABLE chats (x INT)")
    with pytest.raises(StoreCorrupt, match="no schema version"):
        PostgresStore(pg_url)


def test_an_unreachable_server_is_a_store_error_naming_no_password(postgres: Any) -> None:
    with pytest.raises(StoreError) as info:
        PostgresStore(f"postgresql://advisor:hunter2-pw@127.0.0.1:{postgres.port + 1}/x")
    assert "hunter2-pw" not in str(info.value) and "127.0.0.1" in str(info.value)


# ---------------------------------------------------------------- several workers


def test_two_workers_committing_one_update_apply_it_once(pg_url: str) -> None:
    a, b = PostgresStore(pg_url), PostgresStore(pg_url)
    try:
        for uid in range(1, 21):
            a.receive([Received(uid, 5, {"text": str(uid)})])
            turns = [
                Turn(5, uid, state={"by": who, "u": uid}, replies=[Outgoing({"who": who})])
                for who in ("a", "b")
            ]
            done = together(2, lambda i, t=turns: (a, b)[i].commit_turn(t[i]))
            assert sorted(done) == [False, True], done
        queued = raw(pg_url, "SELECT update_id FROM outbox ORDER BY id")
        assert [r[0] for r in queued] == list(range(1, 21))  # one reply per update, in order
        assert a.next_received(5) is None and b.load_state(5) is not None
    finally:
        a.close()
        b.close()


def test_an_update_received_twice_at_once_is_kept_once(pg_url: str) -> None:
    stores = [PostgresStore(pg_url, pool_size=1) for _ in range(4)]
    try:
        counts = together(4, lambda i: stores[i].receive([Received(77, 3, {"text": "x"})]))
        assert sorted(counts) == [0, 0, 0, 1], counts
    finally:
        for s in stores:
            s.close()


def test_a_chat_is_claimed_by_one_worker_and_freed_when_it_dies(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    a, b = ChatClaims(pg_url), ChatClaims(pg_url)
    try:
        assert a.take("turns", 9)
        assert not a.take("turns", 9)  # another task of the same worker waits its turn
        assert not b.take("turns", 9)
        assert b.take("send", 9) and b.take("turns", 10)  # other roles, other chats
        raw(pg_url, "INSERT INTO inbox VALUES (1, 9, now(), '{}')")
        assert a.release("turns", 9, "inbox") is True  # work left: the holder looks again
        assert b.take("turns", 9)
        assert not a.take("turns", 9)
        b.close()  # kill -9 closes the connection the same way: PostgreSQL frees its claims
        deadline = time.monotonic() + 10  # once the server process of that connection ended
        while not a.take("turns", 9):
            assert time.monotonic() < deadline, "the claim outlived its connection"
            time.sleep(0.05)
        assert a.take("send", 9)
        raw(pg_url, "DELETE FROM inbox")
        assert a.release("turns", 9, "inbox") is False
    finally:
        a.close()
        b.close()


def test_only_one_worker_polls(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    a, b = ChatClaims(pg_url), ChatClaims(pg_url)
    try:
        assert a.take_poller() and a.take_poller()
        assert not b.take_poller()
        a.close()
        deadline = time.monotonic() + 10  # once the server process of that connection ended
        while not b.take_poller():
            assert time.monotonic() < deadline, "the poller's lock outlived its connection"
            time.sleep(0.05)
    finally:
        a.close()
        b.close()


def test_sweep_finds_rows_left_waiting(pg_url: str) -> None:
    with PostgresStore(pg_url) as s:
        s.receive([Received(1, 4, {"text": "x"})])
        s.commit_turn(Turn(6, 2, state={"a": 1}, replies=[Outgoing({"t": 1})]))
        assert s.waiting_chats(60.0) == ([], [])
        raw(pg_url, "UPDATE inbox SET received_at = now() - interval '1 minute'")
        raw(pg_url, "UPDATE outbox SET created_at = now() - interval '1 minute'")
        assert s.waiting_chats(30.0) == ([4], [6])


def test_outgoing_fields_beyond_body_and_photo_are_kept() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Edit(Outgoing):
        method: str = "send"
        message_id: int | None = None

    assert pg_module._extra_of(Outgoing({"t": 1})) == "{}"
    assert pg_module._extra_of(Edit({"t": 1}, None, "edit", 5)) == (
        '{"message_id":5,"method":"edit"}'
    )
    assert pg_module._queued_extra('{"message_id":5}') == {}  # Queued has no such field yet


# ---------------------------------------------------------------- operator


def test_backup_says_it_is_pg_dumps_job(pg_url: str, tmp_path: Path) -> None:
    with PostgresStore(pg_url) as s, pytest.raises(StoreError, match="pg_dump"):
        s.backup(tmp_path / "b.dump")
    assert not (tmp_path / "b.dump").exists()


def test_stats_and_close(pg_url: str) -> None:
    s = PostgresStore(pg_url)
    s.apply(1, 1, {"a": 1})
    stats = s.stats()
    assert stats["chats"] == 1 and stats["processed_updates"] == 1
    assert stats["file_size_bytes"] > 0
    s.check_writable()
    assert s.scrub_wal() is True
    s.close()
    assert not s.healthy()
    with pytest.raises(StoreError, match="closed"):
        s.load(1)


def test_the_url_setting_and_its_password_in_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://advisor:s3cr%40t-pw@db.internal:5433/advisor"
    assert describe_url(url) == "postgresql://advisor@db.internal:5433/advisor"
    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    settings = load_settings(need_token=False)
    assert settings.ADVISOR_DATABASE_URL is not None
    assert "s3cr" not in repr(settings)
    redact = Redact(url_secrets(url))

    record = logging.LogRecord("x", logging.INFO, "", 0, "to %s or s3cr@t-pw", (url,), None)
    redact.filter(record)
    assert "s3cr" not in record.getMessage() and "[redacted]" in record.getMessage()
    monkeypatch.setenv("ADVISOR_DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(SettingsError, match=r"ADVISOR_DATABASE_URL: .*postgresql://"):
        load_settings(need_token=False)
    monkeypatch.setenv("ADVISOR_DATABASE_URL", "")
    assert load_settings(need_token=False).ADVISOR_DATABASE_URL is None


def operate(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot <args>` with ADVISOR_DATABASE_URL set."""
    env = {**os.environ, "ADVISOR_DATABASE_URL": url}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_operator_commands_on_postgres(pg_url: str, tmp_path: Path) -> None:
    url = pg_url.replace("postgres@", "postgres:pw-not-logged@")
    with PostgresStore(url) as s:
        s.save(1, {"a": 1})
        raw(url, "UPDATE chats SET updated_at = now() - interval '400 days'")
        s.save(2, {"a": 2})
    check = operate(url, "check")
    assert check.returncode == 0, check.stderr
    assert "ok (2 chats)" in check.stdout and "pw-not-logged" not in check.stdout
    purge = operate(url, "purge", "--inactive-days", "365")
    assert purge.returncode == 0 and "purged 1 chats" in purge.stdout, purge.stderr
    backup = operate(url, "backup", str(tmp_path / "b"))
    assert backup.returncode == 1 and "pg_dump" in backup.stderr
    assert "pw-not-logged" not in backup.stderr + backup.stdout
