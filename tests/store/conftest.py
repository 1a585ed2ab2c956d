"""The store contract on both backends: a SQLite file, and a fresh database on a real PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.pgstore import PostgresStore
from bot.store import SQLiteStore


class Backend:
    """Opens stores on one database of one kind and reads it behind the store's back."""

    def __init__(self, kind: str, tmp: Path, request: pytest.FixtureRequest) -> None:
        """A SQLite file path in tmp, or a new PostgreSQL database."""
        self.kind = kind
        self.path = tmp / "data" / "chats.sqlite3"
        self.url = str(request.getfixturevalue("pg_url")) if kind == "postgres" else ""

    def open(self, clock: Callable[[], datetime] | None = None) -> SQLiteStore | PostgresStore:
        """A new store on this backend's database."""
        kw: dict[str, Any] = {} if clock is None else {"clock": clock}
        if self.kind == "postgres":
            return PostgresStore(self.url, pool_size=2, **kw)
        return SQLiteStore(self.path, **kw)

    def raw(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run SQL (qmark parameters) on a connection of its own; the rows it returns."""
        if self.kind == "postgres":
            with psycopg.connect(self.url, autocommit=True) as conn:
                cur = conn.execute(sql.replace("?", "%s"), params or [])  # type: ignore[arg-type]
                return list(cur.fetchall()) if cur.description else []
        con = sqlite3.connect(self.path, isolation_level=None)
        try:
            return list(con.execute(sql, params or []).fetchall())
        finally:
            con.close()

    def counts(self, chat_id: int) -> dict[str, int]:
        """A chat's rows in every table with a chat_id column."""
        if self.kind == "postgres":
            tables = [
                r[0]
                for r in self.raw(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND column_name = 'chat_id'"
                )
            ]
        else:
            names = [r[0] for r in self.raw("SELECT name FROM sqlite_master WHERE type='table'")]
            tables = [
                t
                for t in names
                if any(c[1] == "chat_id" for c in self.raw(f"PRAGMA table_info({t})"))
            ]
        return {
            t: int(self.raw(f"SELECT count(*) FROM {t} WHERE chat_id = ?", [chat_id])[0][0])
            for t in tables
        }

    def break_outbox(self) -> None:
        """Make every insert into the outbox fail (a write failing in the middle of a turn)."""
        if self.kind == "postgres":
            self.raw("ALTER TABLE outbox ADD CONSTRAINT broken CHECK (false) NOT VALID")
        else:
            self.raw(
                "CREATE TRIGGER broken BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )

    def mend_outbox(self) -> None:
        """Undo break_outbox."""
        if self.kind == "postgres":
            self.raw("ALTER TABLE outbox DROP CONSTRAINT broken")
        else:
            self.raw("DROP TRIGGER broken")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each contract test runs once on SQLite and once on PostgreSQL."""
    return Backend(str(request.param), tmp_path, request)


@pytest.fixture
def any_store(backend: Backend) -> Iterator[SQLiteStore | PostgresStore]:
    """An open store on the backend, closed after the test."""
    s = backend.open()
    yield s
    s.close()
