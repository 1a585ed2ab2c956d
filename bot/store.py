"""The chat's durable memory: dialogue states in SQLite, written through before acknowledgement.

Every write runs in its own ``BEGIN IMMEDIATE`` transaction and is committed before the method
returns, so a reply sent after ``save()``/``apply()`` returned never describes an answer that a
crash (even ``kill -9``) can lose. With ``synchronous="FULL"`` (the default) a committed write
also survives a power cut; ``"NORMAL"`` survives a process crash but may lose the last commits on
power loss. Processed Telegram update ids are recorded in the same transaction as the state they
produced, so a redelivered update is recognised and not applied twice.

Threading: the store is meant to be used from one thread (the asyncio event loop). The connection
keeps sqlite3's default ``check_same_thread=True``, so a call from another thread fails loudly with
``sqlite3.ProgrammingError`` instead of racing.

Transactions: the connection is opened in autocommit mode (``isolation_level=None``) and the store
issues ``BEGIN IMMEDIATE``/``COMMIT``/``ROLLBACK`` itself. sqlite-utils helpers that wrap
themselves in ``with db.conn:`` (``Table.insert``/``upsert``/``create``...) would commit halfway
through such a transaction, so writes use ``db.execute`` with explicit SQL.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from sqlite_utils import Database

from engine.errors import StoreError

__all__ = [
    "MIGRATIONS",
    "ChatRecord",
    "ChatStore",
    "Outgoing",
    "ProcessLock",
    "Queued",
    "Received",
    "SQLiteStore",
    "StoreCorrupt",
    "StoreError",
    "StoreLocked",
    "StoreWriteFailed",
    "Turn",
]

logger = logging.getLogger(__name__)

# Primary SQLite result codes (``sqlite3.Error.sqlite_errorcode & 0xFF``).
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_FULL = 13
_SQLITE_NOTADB = 26


class StoreCorrupt(StoreError):
    """The file is not a database, is malformed, or has a schema newer than this code."""


class StoreLocked(StoreError):
    """The database stayed locked by another connection for longer than the busy timeout."""


class StoreWriteFailed(StoreError):
    """A write failed (disk full, I/O error, read-only) and was rolled back; old state intact."""


@dataclass(frozen=True)
class ChatRecord:
    """One chat's stored dialogue state and bookkeeping."""

    chat_id: int
    state: dict[str, Any]
    created_at: str
    updated_at: str
    active: bool


@dataclass(frozen=True)
class Received:
    """One update taken into the inbox: its id, its chat and what it carries (a JSON object)."""

    update_id: int
    chat_id: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """One message to send: what it says (a JSON object) and, for a chart, the PNG."""

    body: dict[str, Any]
    photo: bytes | None = None


@dataclass(frozen=True)
class Queued:
    """One message in the outbox, not yet delivered."""

    id: int
    chat_id: int
    update_id: int
    body: dict[str, Any]
    photo: bytes | None


@dataclass(frozen=True)
class Turn:
    """What one update did: the new state (None: unchanged), or forget; the replies to send.

    Committed as one transaction with the update's processed mark, so after a crash either all
    of it happened (and the outbox still sends the replies) or none of it (the inbox has it).
    """

    chat_id: int
    update_id: int
    state: dict[str, Any] | None = None
    forget: bool = False
    replies: list[Outgoing] = field(default_factory=list)
    input_hash: str | None = None


@runtime_checkable
class ChatStore(Protocol):
    """The narrow storage interface the bot depends on (SQLiteStore; PostgresStore in pgstore)."""

    def load(self, chat_id: int) -> ChatRecord | None:
        """Return the chat's record, or None if nothing is stored for it."""
        ...

    def save(self, chat_id: int, state: dict[str, Any]) -> None:
        """Insert or replace the chat's state; committed before returning."""
        ...

    def apply(self, chat_id: int, update_id: int | None, state: dict[str, Any]) -> bool:
        """Record the update id and save the state atomically; False if already processed."""
        ...

    def was_processed(self, update_id: int) -> bool:
        """Return whether this update id has been recorded."""
        ...

    def forget(self, chat_id: int) -> int:
        """Delete every row of the chat; return the number of rows deleted."""
        ...

    def set_active(self, chat_id: int, active: bool) -> None:
        """Mark the chat active or inactive (the user blocked the bot)."""
        ...

    def chats_inactive_since(self, cutoff: datetime) -> list[int]:
        """Return the ids of chats not updated since the cutoff."""
        ...

    def purge_inactive(self, days: int) -> int:
        """Forget every chat not updated for that many days; return chats purged."""
        ...

    def prune_processed(self, keep_days: int = 7) -> int:
        """Delete processed-update records older than keep_days; return rows deleted."""
        ...

    def backup(self, dest: str | os.PathLike[str]) -> None:
        """Write a consistent copy of the store to a new file."""
        ...

    def healthy(self) -> bool:
        """Return whether a trivial read succeeds."""
        ...

    def stats(self) -> dict[str, int]:
        """Return row counts and file size."""
        ...

    def close(self) -> None:
        """Release the underlying resources."""
        ...


def _migrate_to_1(db: Database) -> None:
    """Create the meta, chats and processed_updates tables with their indexes."""
    db.create_table("meta", {"key": str, "value": str}, pk="key")
    chats = db.create_table(
        "chats",
        {"chat_id": int, "state": str, "created_at": str, "updated_at": str, "active": int},
        pk="chat_id",
        not_null={"state", "created_at", "updated_at", "active"},
        defaults={"active": 1},
    )
    processed = db.create_table(
        "processed_updates",
        {"update_id": int, "chat_id": int, "processed_at": str},
        pk="update_id",
        not_null={"chat_id", "processed_at"},
    )
    processed.create_index(["chat_id"], index_name="idx_processed_updates_chat_id")
    processed.create_index(["processed_at"], index_name="idx_processed_updates_processed_at")
    chats.create_index(["updated_at"], index_name="idx_chats_updated_at")


def _migrate_to_2(db: Database) -> None:
    """Create the inbox (updates received, not yet processed) and the outbox (replies to send)."""
    db.execute(
        "CREATE TABLE inbox (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, "
        "received_at TEXT NOT NULL, body TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_inbox_chat_id ON inbox (chat_id, update_id)")
    db.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, "
        "update_id INTEGER NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL, photo BLOB, "
        "input_hash TEXT)"
    )
    db.execute("CREATE INDEX idx_outbox_chat_id ON outbox (chat_id, id)")


# MIGRATIONS[i] takes a database at schema version i to version i + 1. Each runs inside a
# transaction opened by the store; it must only use db.execute / db.create_table /
# Table.create_index / Table.add_column (nothing that commits, such as Table.insert or
# Table.create) so that a failure rolls the whole step back.
MIGRATIONS: list[Callable[[Database], None]] = [_migrate_to_1, _migrate_to_2]


def _utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """Format a datetime as fixed-width ISO-8601 UTC (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _encode_state(state: dict[str, Any]) -> str:
    """Serialise a state to canonical JSON; TypeError if it cannot be."""
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict, not {type(state).__name__}")
    try:
        return json.dumps(state, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"state is not JSON-serialisable: {exc}") from None


class SQLiteStore:
    """ChatStore backed by one SQLite file in WAL mode."""

    SCHEMA_VERSION = 2

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: Literal["NORMAL", "FULL"] = "FULL",
        busy_timeout_ms: int = 5000,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """Open (creating if needed), check and migrate the database at path."""
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be 'NORMAL' or 'FULL', not {synchronous!r}")
        if busy_timeout_ms < 0:
            raise ValueError("busy_timeout_ms must be >= 0")
        self._path = os.fspath(path)
        self._memory = self._path == ":memory:"
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._clock = clock
        self._conn: sqlite3.Connection | None = None
        self._chat_tables: list[str] = []
        if not self._memory:
            try:
                _private_file(Path(self._path))
            except OSError as exc:
                raise StoreError(f"{self._path}: cannot create it ({exc})") from None
        try:
            conn = sqlite3.connect(
                self._path, timeout=self._busy_timeout_ms / 1000, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise self._error(exc, "open", write=False) from None
        self._conn = conn
        try:
            self._db = Database(conn, execute_plugins=False)
            self._configure(synchronous)
            self._check_integrity()
            self._migrate()
            self._chat_tables = self._tables_with_chat_id()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ public API

    @property
    def path(self) -> str:
        """The database file path."""
        return self._path

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying sqlite3 connection (for tests and diagnostics)."""
        return self._connection()

    def load(self, chat_id: int) -> ChatRecord | None:
        """Return the chat's record, or None if nothing is stored for it."""
        with self._reading("load"):
            row = self._db.execute(
                "SELECT state, created_at, updated_at, active FROM chats WHERE chat_id = ?",
                [chat_id],
            ).fetchone()
        if row is None:
            return None
        try:
            state = json.loads(row[0])
        except ValueError:
            state = None
        if not isinstance(state, dict):
            raise StoreCorrupt(f"{self._path}: stored state of chat {chat_id} is not a JSON object")
        return ChatRecord(
            chat_id=chat_id,
            state=state,
            created_at=str(row[1]),
            updated_at=str(row[2]),
            active=bool(row[3]),
        )

    def save(self, chat_id: int, state: dict[str, Any]) -> None:
        """Insert or replace the chat's state; committed before returning."""
        encoded = _encode_state(state)
        with self._writing("save"):
            self._upsert_chat(chat_id, encoded, _iso(self._clock()))

    def apply(self, chat_id: int, update_id: int | None, state: dict[str, Any]) -> bool:
        """Record the update id and save the state atomically; False if already processed."""
        encoded = _encode_state(state)
        now = _iso(self._clock())
        with self._writing("apply"):
            if update_id is not None:
                seen = self._db.execute(
                    "SELECT 1 FROM processed_updates WHERE update_id = ?", [update_id]
                ).fetchone()
                if seen is not None:
                    return False
                self._db.execute(
                    "INSERT INTO processed_updates (update_id, chat_id, processed_at) "
                    "VALUES (?, ?, ?)",
                    [update_id, chat_id, now],
                )
            self._upsert_chat(chat_id, encoded, now)
        return True

    def was_processed(self, update_id: int) -> bool:
        """Return whether this update id has been recorded."""
        with self._reading("was_processed"):
            row = self._db.execute(
                "SELECT 1 FROM processed_updates WHERE update_id = ?", [update_id]
            ).fetchone()
        return row is not None

    def forget(self, chat_id: int) -> int:
        """Delete every row of the chat in every table; return the number of rows deleted."""
        deleted = 0
        with self._writing("forget"):
            for table in self._chat_tables:
                cursor = self._db.execute(f"DELETE FROM [{table}] WHERE chat_id = ?", [chat_id])
                deleted += max(int(cursor.rowcount), 0)
        if deleted:
            self.scrub_wal()
        return deleted

    def set_active(self, chat_id: int, active: bool) -> None:
        """Mark the chat active or inactive; does not touch updated_at, creates no row."""
        with self._writing("set_active"):
            self._db.execute(
                "UPDATE chats SET active = ? WHERE chat_id = ?", [1 if active else 0, chat_id]
            )

    def chats_inactive_since(self, cutoff: datetime) -> list[int]:
        """Return the ids of chats whose updated_at is older than the cutoff, ascending."""
        with self._reading("chats_inactive_since"):
            rows = self._db.execute(
                "SELECT chat_id FROM chats WHERE updated_at < ? ORDER BY chat_id", [_iso(cutoff)]
            ).fetchall()
        return [int(row[0]) for row in rows]

    def purge_inactive(self, days: int) -> int:
        """Forget every chat not updated for that many days in one transaction; return count."""
        if days < 0:
            raise ValueError("days must be >= 0")
        cutoff = _iso(self._clock() - timedelta(days=days))
        with self._writing("purge_inactive"):
            for table in self._chat_tables:
                if table != "chats":
                    self._db.execute(
                        f"DELETE FROM [{table}] WHERE chat_id IN "
                        "(SELECT chat_id FROM chats WHERE updated_at < ?)",
                        [cutoff],
                    )
            purged = self._db.execute("DELETE FROM chats WHERE updated_at < ?", [cutoff]).rowcount
        if purged:
            self.scrub_wal()
        return max(int(purged), 0)

    def prune_processed(self, keep_days: int = 7) -> int:
        """Delete processed-update records older than keep_days; return rows deleted."""
        if keep_days < 0:
            raise ValueError("keep_days must be >= 0")
        cutoff = _iso(self._clock() - timedelta(days=keep_days))
        with self._writing("prune_processed"):
            cursor = self._db.execute(
                "DELETE FROM processed_updates WHERE processed_at < ?", [cutoff]
            )
        return max(int(cursor.rowcount), 0)

    # ------------------------------------------------------------------ inbox and outbox

    def load_state(self, chat_id: int) -> dict[str, Any] | None:
        """The chat's stored state, or None when there is none or it cannot be read (logged)."""
        try:
            record = self.load(chat_id)
        except StoreCorrupt:
            logger.warning("stored state of a chat is not a JSON object; starting afresh")
            return None
        return record.state if record is not None else None

    def receive(self, items: list[Received]) -> int:
        """Write updates to the inbox (each once: a known or processed id is skipped); count new.

        Each body gets "unanswered": the "hash" of the chat's latest message still waiting in
        the inbox and the input hash of its latest reply not yet delivered, as they were at
        this moment, so the same message sent again before its answer came is recognised
        however fast the reply is sent afterwards.
        """
        now = _iso(self._clock())
        added = 0
        with self._writing("receive"):
            for item in items:
                body = {**item.body, "unanswered": self._unanswered(item.chat_id)}
                cursor = self._db.execute(
                    "INSERT INTO inbox (update_id, chat_id, received_at, body) "
                    "SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM processed_updates WHERE update_id = ?) "
                    "ON CONFLICT (update_id) DO NOTHING",
                    [item.update_id, item.chat_id, now, _encode_state(body), item.update_id],
                )
                added += max(int(cursor.rowcount), 0)
        return added

    def _unanswered(self, chat_id: int) -> list[str]:
        """Hashes of the chat's latest queued message and latest undelivered turn."""
        out = []
        queued = self._db.execute(
            "SELECT body FROM inbox WHERE chat_id = ? ORDER BY update_id DESC LIMIT 1", [chat_id]
        ).fetchone()
        if queued is not None:
            digest = json.loads(queued[0]).get("hash")
            if isinstance(digest, str):
                out.append(digest)
        held = self._db.execute(
            "SELECT input_hash FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1", [chat_id]
        ).fetchone()
        if held is not None and held[0] is not None:
            out.append(str(held[0]))
        return out

    def inbox_chats(self) -> list[int]:
        """Chats with updates received and not yet processed."""
        with self._reading("inbox"):
            rows = self._db.execute(
                "SELECT DISTINCT chat_id FROM inbox ORDER BY chat_id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def next_received(self, chat_id: int) -> Received | None:
        """The chat's oldest unprocessed update (lowest update id), or None."""
        with self._reading("inbox"):
            row = self._db.execute(
                "SELECT update_id, body FROM inbox WHERE chat_id = ? ORDER BY update_id LIMIT 1",
                [chat_id],
            ).fetchone()
        if row is None:
            return None
        return Received(int(row[0]), chat_id, json.loads(row[1]))

    def commit_turn(self, turn: Turn) -> bool:
        """State or forget, processed mark and replies in one transaction; False if done before."""
        now = _iso(self._clock())
        encoded = None if turn.state is None else _encode_state(turn.state)
        with self._writing("commit"):
            seen = self._db.execute(
                "SELECT 1 FROM processed_updates WHERE update_id = ?", [turn.update_id]
            ).fetchone()
            if seen is not None:
                self._db.execute("DELETE FROM inbox WHERE update_id = ?", [turn.update_id])
                return False
            self._db.execute("DELETE FROM inbox WHERE update_id = ?", [turn.update_id])
            marked = turn.chat_id
            if turn.forget:
                for table in self._chat_tables:
                    extra = " AND update_id < ?" if table == "inbox" else ""
                    params = [turn.chat_id, turn.update_id] if extra else [turn.chat_id]
                    self._db.execute(f"DELETE FROM [{table}] WHERE chat_id = ?{extra}", params)
                marked = 0  # the mark that dedups this update no longer names the chat
            elif encoded is not None:
                self._upsert_chat(turn.chat_id, encoded, now)
            self._db.execute(
                "INSERT INTO processed_updates (update_id, chat_id, processed_at) VALUES (?, ?, ?)",
                [turn.update_id, marked, now],
            )
            for reply in turn.replies:
                self._db.execute(
                    "INSERT INTO outbox (chat_id, update_id, created_at, body, photo, input_hash) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        turn.chat_id,
                        turn.update_id,
                        now,
                        _encode_state(reply.body),
                        reply.photo,
                        turn.input_hash,
                    ],
                )
        return True

    def awaiting_input(self, chat_id: int) -> str | None:
        """The input hash of the chat's latest turn whose replies are not all delivered yet."""
        with self._reading("outbox"):
            row = self._db.execute(
                "SELECT input_hash FROM outbox WHERE chat_id = ? ORDER BY id DESC LIMIT 1",
                [chat_id],
            ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def outbox_chats(self) -> list[int]:
        """Chats with replies not yet delivered."""
        with self._reading("outbox"):
            rows = self._db.execute(
                "SELECT DISTINCT chat_id FROM outbox ORDER BY chat_id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def next_outgoing(self, chat_id: int) -> Queued | None:
        """The chat's oldest undelivered reply, or None."""
        found = self.outgoing_of(chat_id, limit=1)
        return found[0] if found else None

    def outgoing_of(self, chat_id: int, limit: int = 100) -> list[Queued]:
        """The chat's undelivered replies, oldest first (at most `limit`)."""
        with self._reading("outbox"):
            rows = self._db.execute(
                "SELECT id, update_id, body, photo FROM outbox WHERE chat_id = ? "
                "ORDER BY id LIMIT ?",
                [chat_id, limit],
            ).fetchall()
        return [
            Queued(
                int(row[0]),
                chat_id,
                int(row[1]),
                json.loads(row[2]),
                bytes(row[3]) if row[3] is not None else None,
            )
            for row in rows
        ]

    def delivered(self, *outbox_ids: int) -> None:
        """Replies reached Telegram: remove them from the outbox (their words are not kept)."""
        with self._writing("delivered"):
            for outbox_id in outbox_ids:
                self._db.execute("DELETE FROM outbox WHERE id = ?", [outbox_id])

    def drop_outgoing(self, chat_id: int) -> int:
        """Remove every undelivered reply of a chat (the person blocked the bot); count them."""
        with self._writing("drop outgoing"):
            cursor = self._db.execute("DELETE FROM outbox WHERE chat_id = ?", [chat_id])
        return max(int(cursor.rowcount), 0)

    def backlog(self) -> tuple[int, str | None]:
        """Undelivered replies and when the oldest was queued (ISO-8601 UTC), for /healthz."""
        with self._reading("outbox"):
            count, oldest = self._db.execute(
                "SELECT count(*), min(created_at) FROM outbox"
            ).fetchone()
        return int(count), (str(oldest) if oldest is not None else None)

    def backup(self, dest: str | os.PathLike[str]) -> None:
        """Copy the store with SQLite's online backup API to a new file (never overwrites)."""
        target = Path(os.fspath(dest))
        if target.exists():
            raise FileExistsError(f"backup destination already exists: {target}")
        source = self._connection()
        tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            tmp.unlink(missing_ok=True)
            _private_file(tmp)
            copy = sqlite3.connect(tmp, isolation_level=None)
            try:
                source.backup(copy)
            finally:
                copy.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except sqlite3.Error as exc:
            tmp.unlink(missing_ok=True)
            raise StoreWriteFailed(
                f"{self._path}: backup to {target} failed ({_describe(exc)}); store unchanged"
            ) from None
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreWriteFailed(
                f"{self._path}: backup to {target} failed ({exc.strerror or exc}); store unchanged"
            ) from None

    def check_writable(self) -> None:
        """Take and release the write lock, changing nothing (StoreLocked/StoreWriteFailed)."""
        with self._writing("write check"):
            pass

    def healthy(self) -> bool:
        """Return whether a trivial read succeeds."""
        if self._conn is None:
            return False
        try:
            row = self._conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def stats(self) -> dict[str, int]:
        """Return the number of chats and processed updates and the file sizes in bytes."""
        with self._reading("stats"):
            chats = self._db.execute("SELECT count(*) FROM chats").fetchone()[0]
            processed = self._db.execute("SELECT count(*) FROM processed_updates").fetchone()[0]
        return {
            "chats": int(chats),
            "processed_updates": int(processed),
            "file_size_bytes": _file_size(self._path),
            "wal_size_bytes": _file_size(self._path + "-wal"),
        }

    def close(self) -> None:
        """Close the connection (checkpointing the WAL); further calls raise StoreError."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def __enter__(self) -> SQLiteStore:
        """Return the store itself."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the store."""
        self.close()

    # ------------------------------------------------------------------ internals

    def _connection(self) -> sqlite3.Connection:
        """Return the open connection or raise StoreError if the store is closed."""
        if self._conn is None:
            raise StoreError(f"{self._path}: the store is closed")
        return self._conn

    def _configure(self, synchronous: str) -> None:
        """Set busy timeout, WAL journal, synchronous, foreign keys and secure delete."""
        conn = self._connection()
        try:
            conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms}")
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error as exc:
            raise self._error(exc, "open", write=False) from None
        expected = "memory" if self._memory else "wal"
        if mode != expected:
            raise StoreError(f"{self._path}: cannot switch to WAL journal mode (got {mode!r})")

    def _check_integrity(self) -> None:
        """Run PRAGMA quick_check and raise StoreCorrupt unless it reports ok."""
        try:
            rows = self._connection().execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc, "integrity check", write=False) from None
        if [tuple(row) for row in rows] != [("ok",)]:
            problems = "; ".join(str(row[0]) for row in rows[:3])
            raise StoreCorrupt(
                f"{self._path}: the database failed its integrity check ({problems}); "
                "restore it from a backup or move it aside"
            )

    def _stored_version(self) -> int:
        """Return the schema version recorded in the file (0 for an empty database)."""
        tables = [t for t in self._db.table_names() if not t.startswith("sqlite_")]
        if "meta" not in tables:
            if tables:
                raise StoreCorrupt(
                    f"{self._path}: the database has tables but no schema version; "
                    "it was not created by this program"
                )
            return 0
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            return int(row[0])
        except (TypeError, ValueError):
            raise StoreCorrupt(f"{self._path}: the schema version is missing or invalid") from None

    def _migrate(self) -> None:
        """Apply pending MIGRATIONS in order, each in its own transaction bumping the version."""
        target = self.SCHEMA_VERSION
        if len(MIGRATIONS) < target:
            raise RuntimeError(f"no migration to schema version {target}")
        with self._reading("open"):
            version = self._stored_version()
        self._refuse_newer(version)
        while version < target:
            with self._writing(f"migration to schema version {version + 1}"):
                version = self._stored_version()  # again, now under the write lock
                self._refuse_newer(version)
                if version < target:
                    MIGRATIONS[version](self._db)
                    version += 1
                    self._db.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [str(version)],
                    )
                    logger.info("%s: migrating to schema version %d", self._path, version)

    def _refuse_newer(self, version: int) -> None:
        """Raise StoreCorrupt if the file's schema version is newer than this code's."""
        if version > self.SCHEMA_VERSION:
            raise StoreCorrupt(
                f"{self._path}: schema version {version} is newer than this program "
                f"supports ({self.SCHEMA_VERSION})"
            )

    def _tables_with_chat_id(self) -> list[str]:
        """Return every table with a chat_id column, with chats last."""
        with self._reading("open"):
            names = [
                t
                for t in self._db.table_names()
                if "chat_id" in self._db.table(t).columns_dict and t != "chats"
            ]
        return [*sorted(names), "chats"]

    def _upsert_chat(self, chat_id: int, encoded: str, now: str) -> None:
        """Insert or update the chat row inside the current transaction."""
        self._db.execute(
            "INSERT INTO chats (chat_id, state, created_at, updated_at, active) "
            "VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (chat_id) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at, active = 1",
            [chat_id, encoded, now, now],
        )

    def scrub_wal(self, attempts: int = 5) -> bool:
        """Checkpoint and truncate the WAL so deleted rows leave no copy behind.

        A reader in the middle of a transaction keeps the WAL alive; this tries a few times
        and returns False when a reader still holds it (the caller tries again later).
        """
        if self._memory or self._conn is None:
            return True
        for attempt in range(attempts):
            try:
                busy, log_frames, done = self._conn.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).fetchone()
            except sqlite3.Error as exc:
                logger.warning("%s: WAL checkpoint after delete failed: %s", self._path, exc)
            else:
                if busy == 0 and log_frames == done:
                    return True
            if attempt + 1 < attempts:
                time.sleep(0.05 * (attempt + 1))
        return False

    @contextlib.contextmanager
    def _reading(self, action: str) -> Iterator[None]:
        """Map sqlite3 errors raised by reads inside the block to StoreError subclasses."""
        self._connection()
        try:
            yield
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.ProgrammingError | sqlite3.InterfaceError):
                raise
            raise self._error(exc, action, write=False) from None

    @contextlib.contextmanager
    def _writing(self, action: str) -> Iterator[None]:
        """Run the block in BEGIN IMMEDIATE ... COMMIT; roll back and map errors on failure."""
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc, action, write=True) from None
        try:
            yield
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and not isinstance(
                exc, sqlite3.ProgrammingError | sqlite3.InterfaceError
            ):
                raise self._error(exc, action, write=True) from None
            raise

    def _error(self, exc: sqlite3.Error, action: str, *, write: bool) -> StoreError:
        """Translate a sqlite3 error into the StoreError subclass an operator can act on."""
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        message = str(exc).lower()
        detail = _describe(exc)
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in message:
            return StoreLocked(
                f"{self._path}: {action} failed: the database stayed locked by another "
                f"connection for more than {self._busy_timeout_ms} ms ({detail})"
            )
        if (
            primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT)
            or "not a database" in message
            or "malformed" in message
        ):
            return StoreCorrupt(
                f"{self._path}: the file is not a SQLite database or is damaged ({detail}); "
                "restore it from a backup or move it aside"
            )
        if write or primary in (_SQLITE_FULL, _SQLITE_IOERR, _SQLITE_READONLY):
            return StoreWriteFailed(
                f"{self._path}: {action} failed and was rolled back ({detail}); "
                "the previously stored state is intact"
            )
        return StoreError(f"{self._path}: {action} failed ({detail})")


def _describe(exc: sqlite3.Error) -> str:
    """Return SQLite's error name and message (these never contain bound values)."""
    name = getattr(exc, "sqlite_errorname", None)
    return f"{name}: {exc}" if name else str(exc)


def _file_size(path: str) -> int:
    """Return the size of a file in bytes, 0 if it does not exist."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _fsync_dir(directory: Path) -> None:
    """Flush a directory entry to disk where the platform allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _private_file(path: Path) -> None:
    """Create path (and its directory, mode 0700) as a file only its owner reads (0600).

    SQLite creates the -wal and -shm files with the database file's mode, so those follow.
    An existing file readable by others is narrowed to 0600, by path: opening and closing a
    descriptor of a database this process has open would drop SQLite's POSIX locks on it.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)


class ProcessLock:
    """An exclusive lock file beside the database: one bot process per database."""

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        """Take the lock on <database>.lock or raise StoreLocked naming the file."""
        self.path = Path(f"{os.fspath(db_path)}.lock")
        try:
            if not self.path.parent.exists():
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the lock file ({exc})") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise StoreLocked(
                f"{os.fspath(db_path)} is in use by another bot process (lock file {self.path}); "
                "stop that process first: two processes on one database would answer twice"
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        """Let go of the lock (also happens when the process dies)."""
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
