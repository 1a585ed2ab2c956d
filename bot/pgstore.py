"""The chat store on PostgreSQL, for several bot workers on one database (psycopg 3, a pool).

The same interface and guarantees as `bot.store.SQLiteStore`: every write is one transaction,
committed before the method returns; an update's processed mark, the state it produced and its
replies are one transaction (`commit_turn`), so a redelivered update is applied once whichever
worker sees it. Unlike SQLite, the store is safe to call from several threads at once: each
call borrows a connection from the pool for its duration.

Several workers: `commit_turn` inserts the processed mark first, so two workers committing the
same update serialise on its primary key and the second learns it was done. Which worker
processes a chat, and which sends its outbox, is decided by `ChatClaims` (session advisory
locks on one connection of the worker's own, released by PostgreSQL when the worker dies).

Schema: versioned like SQLite's (`meta.schema_version`, `PG_MIGRATIONS[i]` takes version i to
i + 1), migrated under a transaction-scoped advisory lock so workers starting together migrate
once; a schema newer than this program is refused.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, LiteralString
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.store import (
    ChatRecord,
    Outgoing,
    Queued,
    Received,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreWriteFailed,
    Turn,
    _encode_state,
    _iso,
    _utc_now,
)

__all__ = ["PG_MIGRATIONS", "ChatClaims", "PostgresStore", "describe_url", "is_postgres_url"]

logger = logging.getLogger(__name__)

MIGRATION_LOCK = 4_010_401  # advisory lock key held while a worker migrates the schema
POLLER_LOCK = 4_010_402  # held by the one worker that long-polls (Telegram allows one)
CONNECT_TIMEOUT = 10  # seconds to reach the server
POOL_TIMEOUT = 5.0  # seconds a call waits for a free pooled connection


def is_postgres_url(url: str) -> bool:
    """Whether a database URL names PostgreSQL (postgresql:// or postgres://)."""
    return url.startswith(("postgresql://", "postgres://"))


def describe_url(url: str) -> str:
    """The URL without its password (for messages): postgresql://user@host:port/db."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _migrate_to_1(cur: psycopg.Cursor[Any]) -> None:
    """Create the meta, chats and processed_updates tables with their indexes."""
    cur.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    cur.execute(
        "CREATE TABLE chats (chat_id BIGINT PRIMARY KEY, state TEXT NOT NULL, "
        "created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, "
        "active BOOLEAN NOT NULL DEFAULT TRUE)"
    )
    cur.execute("CREATE INDEX idx_chats_updated_at ON chats (updated_at)")
    cur.execute(
        "CREATE TABLE processed_updates (update_id BIGINT PRIMARY KEY, chat_id BIGINT NOT NULL, "
        "processed_at TIMESTAMPTZ NOT NULL)"
    )
    cur.execute("CREATE INDEX idx_processed_updates_chat_id ON processed_updates (chat_id)")
    cur.execute(
        "CREATE INDEX idx_processed_updates_processed_at ON processed_updates (processed_at)"
    )


def _migrate_to_2(cur: psycopg.Cursor[Any]) -> None:
    """Create the inbox and the outbox; an outbox row's `extra` holds Outgoing's other fields."""
    cur.execute(
        "CREATE TABLE inbox (update_id BIGINT PRIMARY KEY, chat_id BIGINT NOT NULL, "
        "received_at TIMESTAMPTZ NOT NULL, body TEXT NOT NULL)"
    )
    cur.execute("CREATE INDEX idx_inbox_chat_id ON inbox (chat_id, update_id)")
    cur.execute(
        "CREATE TABLE outbox (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "chat_id BIGINT NOT NULL, update_id BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL, "
        "body TEXT NOT NULL, photo BYTEA, input_hash TEXT, extra TEXT NOT NULL DEFAULT '{}')"
    )
    cur.execute("CREATE INDEX idx_outbox_chat_id ON outbox (chat_id, id)")


# PG_MIGRATIONS[i] takes a database at schema version i to version i + 1, inside the
# transaction that records the new version (PostgreSQL's DDL is transactional).
PG_MIGRATIONS: list[Callable[[psycopg.Cursor[Any]], None]] = [_migrate_to_1, _migrate_to_2]

_BASE_OUTGOING = {"body", "photo"}


def _extra_of(reply: Outgoing) -> str:
    """Outgoing's fields beyond body and photo, as JSON (new fields are stored without a column)."""
    extra = {
        f.name: getattr(reply, f.name)
        for f in dataclasses.fields(reply)
        if f.name not in _BASE_OUTGOING
    }
    return json.dumps(extra, separators=(",", ":"), sort_keys=True)


def _queued_extra(raw: str) -> dict[str, Any]:
    """The stored extra fields that Queued has (the others are ignored)."""
    names = {f.name for f in dataclasses.fields(Queued)}
    loaded = json.loads(raw) if raw else {}
    return {k: v for k, v in loaded.items() if k in names} if isinstance(loaded, dict) else {}


class PostgresStore:
    """ChatStore (and the Telegram service's inbox and outbox) on a PostgreSQL database."""

    SCHEMA_VERSION = 2

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 4,
        synchronous: bool = True,
        clock: Callable[[], datetime] = _utc_now,
        application: str = "advisor",
    ) -> None:
        """Connect a pool of pool_size connections, then check and migrate the schema.

        synchronous=False sets synchronous_commit off for this pool's connections: a commit
        survives a crash of the bot but may be lost if the server itself crashes (the sender
        uses it for delivered marks, like SQLite's NORMAL).
        """
        if not is_postgres_url(url):
            raise ValueError("not a postgresql:// URL")
        self._url = url
        self._name = describe_url(url)
        self._clock = clock
        self._closed = False
        options = {} if synchronous else {"options": "-c synchronous_commit=off"}
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs={
                "autocommit": True,
                "connect_timeout": CONNECT_TIMEOUT,
                "application_name": application,
                **options,
            },
            timeout=POOL_TIMEOUT,
            open=False,
            name="advisor",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT + 5)
        except PoolTimeout:
            self._pool.close()
            raise StoreError(f"{self._name}: cannot connect to PostgreSQL") from None
        try:
            self._migrate()
            self._chat_tables = self._tables_with_chat_id()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ public API

    @property
    def path(self) -> str:
        """The database, named without its password."""
        return self._name

    def load(self, chat_id: int) -> ChatRecord | None:
        """Return the chat's record, or None if nothing is stored for it."""
        with self._reading("load") as cur:
            row = cur.execute(
                "SELECT state, created_at, updated_at, active FROM chats WHERE chat_id = %s",
                [chat_id],
            ).fetchone()
        if row is None:
            return None
        try:
            state = json.loads(row[0])
        except ValueError:
            state = None
        if not isinstance(state, dict):
            raise StoreCorrupt(f"{self._name}: stored state of chat {chat_id} is not a JSON object")
        return ChatRecord(chat_id, state, _iso(row[1]), _iso(row[2]), bool(row[3]))

    def save(self, chat_id: int, state: dict[str, Any]) -> None:
        """Insert or replace the chat's state; committed before returning."""
        encoded = _encode_state(state)
        with self._writing("save") as cur:
            self._upsert_chat(cur, chat_id, encoded, self._clock())

    def apply(self, chat_id: int, update_id: int | None, state: dict[str, Any]) -> bool:
        """Record the update id and save the state atomically; False if already processed."""
        encoded = _encode_state(state)
        now = self._clock()
        with self._writing("apply") as cur:
            if update_id is not None and not self._mark(cur, update_id, chat_id, now):
                return False
            self._upsert_chat(cur, chat_id, encoded, now)
        return True

    def was_processed(self, update_id: int) -> bool:
        """Return whether this update id has been recorded."""
        with self._reading("was_processed") as cur:
            row = cur.execute(
                "SELECT 1 FROM processed_updates WHERE update_id = %s", [update_id]
            ).fetchone()
        return row is not None

    def forget(self, chat_id: int) -> int:
        """Delete every row of the chat in every table; return the number of rows deleted."""
        deleted = 0
        with self._writing("forget") as cur:
            for table in self._chat_tables:
                cur.execute(_sql(f"DELETE FROM {table} WHERE chat_id = %s"), [chat_id])
                deleted += max(cur.rowcount, 0)
        return deleted

    def set_active(self, chat_id: int, active: bool) -> None:
        """Mark the chat active or inactive; does not touch updated_at, creates no row."""
        with self._writing("set_active") as cur:
            cur.execute("UPDATE chats SET active = %s WHERE chat_id = %s", [active, chat_id])

    def chats_inactive_since(self, cutoff: datetime) -> list[int]:
        """Return the ids of chats whose updated_at is older than the cutoff, ascending."""
        with self._reading("chats_inactive_since") as cur:
            rows = cur.execute(
                "SELECT chat_id FROM chats WHERE updated_at < %s ORDER BY chat_id", [cutoff]
            ).fetchall()
        return [int(row[0]) for row in rows]

    def purge_inactive(self, days: int) -> int:
        """Forget every chat not updated for that many days in one transaction; return count."""
        if days < 0:
            raise ValueError("days must be >= 0")
        cutoff = self._clock() - timedelta(days=days)
        with self._writing("purge_inactive") as cur:
            for table in self._chat_tables:
                if table != "chats":
                    cur.execute(
                        _sql(
                            f"DELETE FROM {table} WHERE chat_id IN "
                            "(SELECT chat_id FROM chats WHERE updated_at < %s)"
                        ),
                        [cutoff],
                    )
            cur.execute("DELETE FROM chats WHERE updated_at < %s", [cutoff])
            purged = cur.rowcount
        return max(purged, 0)

    def prune_processed(self, keep_days: int = 7) -> int:
        """Delete processed-update records older than keep_days; return rows deleted."""
        if keep_days < 0:
            raise ValueError("keep_days must be >= 0")
        cutoff = self._clock() - timedelta(days=keep_days)
        with self._writing("prune_processed") as cur:
            cur.execute("DELETE FROM processed_updates WHERE processed_at < %s", [cutoff])
            return max(cur.rowcount, 0)

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

        Each body gets "unanswered" as in SQLiteStore.receive (the chat's latest waiting
        message and latest undelivered turn, as they were at this moment).
        """
        now = self._clock()
        added = 0
        with self._writing("receive") as cur:
            for item in items:
                body = {**item.body, "unanswered": self._unanswered(cur, item.chat_id)}
                cur.execute(
                    "INSERT INTO inbox (update_id, chat_id, received_at, body) "
                    "SELECT %s, %s, %s, %s WHERE NOT EXISTS "
                    "(SELECT 1 FROM processed_updates WHERE update_id = %s) "
                    "ON CONFLICT (update_id) DO NOTHING",
                    [item.update_id, item.chat_id, now, _encode_state(body), item.update_id],
                )
                added += max(cur.rowcount, 0)
        return added

    def inbox_chats(self) -> list[int]:
        """Chats with updates received and not yet processed."""
        with self._reading("inbox") as cur:
            rows = cur.execute("SELECT DISTINCT chat_id FROM inbox ORDER BY chat_id").fetchall()
        return [int(r[0]) for r in rows]

    def next_received(self, chat_id: int) -> Received | None:
        """The chat's oldest unprocessed update (lowest update id), or None."""
        with self._reading("inbox") as cur:
            row = cur.execute(
                "SELECT update_id, body FROM inbox WHERE chat_id = %s ORDER BY update_id LIMIT 1",
                [chat_id],
            ).fetchone()
        if row is None:
            return None
        return Received(int(row[0]), chat_id, json.loads(row[1]))

    def commit_turn(self, turn: Turn) -> bool:
        """State or forget, processed mark and replies in one transaction; False if done before.

        The processed mark is inserted first: a second worker committing the same update waits
        on its key, then finds it taken and changes nothing but the inbox row.
        """
        now = self._clock()
        encoded = None if turn.state is None else _encode_state(turn.state)
        with self._writing("commit") as cur:
            marked = 0 if turn.forget else turn.chat_id  # a forgotten chat's mark names no one
            fresh = self._mark(cur, turn.update_id, marked, now)
            cur.execute("DELETE FROM inbox WHERE update_id = %s", [turn.update_id])
            if not fresh:
                return False
            if turn.forget:
                for table in self._chat_tables:
                    if table == "inbox":
                        cur.execute(
                            "DELETE FROM inbox WHERE chat_id = %s AND update_id < %s",
                            [turn.chat_id, turn.update_id],
                        )
                    else:
                        cur.execute(_sql(f"DELETE FROM {table} WHERE chat_id = %s"), [turn.chat_id])
            elif encoded is not None:
                self._upsert_chat(cur, turn.chat_id, encoded, now)
            if turn.replies:
                cur.executemany(
                    "INSERT INTO outbox (chat_id, update_id, created_at, body, photo, "
                    "input_hash, extra) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    [
                        [
                            turn.chat_id,
                            turn.update_id,
                            now,
                            _encode_state(reply.body),
                            reply.photo,
                            turn.input_hash,
                            _extra_of(reply),
                        ]
                        for reply in turn.replies
                    ],
                )
        return True

    def awaiting_input(self, chat_id: int) -> str | None:
        """The input hash of the chat's latest turn whose replies are not all delivered yet."""
        with self._reading("outbox") as cur:
            row = cur.execute(
                "SELECT input_hash FROM outbox WHERE chat_id = %s ORDER BY id DESC LIMIT 1",
                [chat_id],
            ).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def outbox_chats(self) -> list[int]:
        """Chats with replies not yet delivered."""
        with self._reading("outbox") as cur:
            rows = cur.execute("SELECT DISTINCT chat_id FROM outbox ORDER BY chat_id").fetchall()
        return [int(r[0]) for r in rows]

    def waiting_chats(self, older_than: float) -> tuple[list[int], list[int]]:
        """Chats with an inbox row, and chats with an outbox row, older than that many seconds.

        What the periodic sweep wakes: work a killed worker left, or a wake that was missed.
        """
        cutoff = self._clock() - timedelta(seconds=older_than)
        with self._reading("sweep") as cur:
            inbox = cur.execute(
                "SELECT DISTINCT chat_id FROM inbox WHERE received_at < %s", [cutoff]
            ).fetchall()
            outbox = cur.execute(
                "SELECT DISTINCT chat_id FROM outbox WHERE created_at < %s", [cutoff]
            ).fetchall()
        return [int(r[0]) for r in inbox], [int(r[0]) for r in outbox]

    def next_outgoing(self, chat_id: int) -> Queued | None:
        """The chat's oldest undelivered reply, or None."""
        found = self.outgoing_of(chat_id, limit=1)
        return found[0] if found else None

    def outgoing_of(self, chat_id: int, limit: int = 100) -> list[Queued]:
        """The chat's undelivered replies, oldest first (at most `limit`)."""
        with self._reading("outbox") as cur:
            rows = cur.execute(
                "SELECT id, update_id, body, photo, extra FROM outbox WHERE chat_id = %s "
                "ORDER BY id LIMIT %s",
                [chat_id, limit],
            ).fetchall()
        return [
            Queued(
                int(row[0]),
                chat_id,
                int(row[1]),
                json.loads(row[2]),
                bytes(row[3]) if row[3] is not None else None,
                **_queued_extra(row[4]),
            )
            for row in rows
        ]

    def delivered(self, *outbox_ids: int) -> None:
        """Replies reached Telegram: remove them from the outbox (their words are not kept)."""
        with self._writing("delivered") as cur:
            cur.execute("DELETE FROM outbox WHERE id = ANY(%s)", [list(outbox_ids)])

    def drop_outgoing(self, chat_id: int) -> int:
        """Remove every undelivered reply of a chat (the person blocked the bot); count them."""
        with self._writing("drop outgoing") as cur:
            cur.execute("DELETE FROM outbox WHERE chat_id = %s", [chat_id])
            return max(cur.rowcount, 0)

    def backlog(self) -> tuple[int, str | None]:
        """Undelivered replies and when the oldest was queued (ISO-8601 UTC), for /healthz."""
        with self._reading("outbox") as cur:
            row = cur.execute("SELECT count(*), min(created_at) FROM outbox").fetchone()
        assert row is not None
        return int(row[0]), (_iso(row[1]) if row[1] is not None else None)

    def backup(self, dest: str | os.PathLike[str]) -> None:
        """Not done here: a PostgreSQL database is backed up with pg_dump (StoreError says so)."""
        raise StoreError(
            f"{self._name}: on PostgreSQL, back up with pg_dump "
            f"(pg_dump --format=custom --file={os.fspath(dest)} DATABASE_URL; "
            "see deploy/README.md); this command copies SQLite files only"
        )

    def check_writable(self) -> None:
        """Take and release a row lock in a write transaction, changing nothing."""
        with self._writing("write check") as cur:
            cur.execute("SELECT value FROM meta WHERE key = 'schema_version' FOR UPDATE")

    def scrub_wal(self, attempts: int = 5) -> bool:
        """Nothing to do: PostgreSQL's WAL is recycled by the server (True)."""
        return True

    def healthy(self) -> bool:
        """Return whether a trivial read succeeds."""
        if self._closed:
            return False
        try:
            with self._reading("health") as cur:
                row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except StoreError:
            return False
        return row is not None

    def stats(self) -> dict[str, int]:
        """Return the number of chats and processed updates and the database's size in bytes."""
        with self._reading("stats") as cur:
            row = cur.execute(
                "SELECT (SELECT count(*) FROM chats), (SELECT count(*) FROM processed_updates), "
                "pg_database_size(current_database())"
            ).fetchone()
        assert row is not None
        return {
            "chats": int(row[0]),
            "processed_updates": int(row[1]),
            "file_size_bytes": int(row[2]),
            "wal_size_bytes": 0,
        }

    def close(self) -> None:
        """Close the pool; further calls raise StoreError."""
        if not self._closed:
            self._closed = True
            self._pool.close()

    def __enter__(self) -> PostgresStore:
        """Return the store itself."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the store."""
        self.close()

    # ------------------------------------------------------------------ internals

    def _mark(self, cur: psycopg.Cursor[Any], update_id: int, chat_id: int, now: datetime) -> bool:
        """Insert the processed mark; False when the update was processed before."""
        cur.execute(
            "INSERT INTO processed_updates (update_id, chat_id, processed_at) "
            "VALUES (%s, %s, %s) ON CONFLICT (update_id) DO NOTHING",
            [update_id, chat_id, now],
        )
        return cur.rowcount == 1

    def _unanswered(self, cur: psycopg.Cursor[Any], chat_id: int) -> list[str]:
        """Hashes of the chat's latest queued message and latest undelivered turn."""
        out = []
        queued = cur.execute(
            "SELECT body FROM inbox WHERE chat_id = %s ORDER BY update_id DESC LIMIT 1",
            [chat_id],
        ).fetchone()
        if queued is not None:
            digest = json.loads(queued[0]).get("hash")
            if isinstance(digest, str):
                out.append(digest)
        held = cur.execute(
            "SELECT input_hash FROM outbox WHERE chat_id = %s ORDER BY id DESC LIMIT 1",
            [chat_id],
        ).fetchone()
        if held is not None and held[0] is not None:
            out.append(str(held[0]))
        return out

    def _upsert_chat(
        self, cur: psycopg.Cursor[Any], chat_id: int, encoded: str, now: datetime
    ) -> None:
        """Insert or update the chat row inside the current transaction."""
        cur.execute(
            "INSERT INTO chats (chat_id, state, created_at, updated_at, active) "
            "VALUES (%s, %s, %s, %s, TRUE) "
            "ON CONFLICT (chat_id) DO UPDATE SET "
            "state = excluded.state, updated_at = excluded.updated_at, active = TRUE",
            [chat_id, encoded, now, now],
        )

    def _stored_version(self, cur: psycopg.Cursor[Any]) -> int:
        """The schema version recorded in the database (0 for an empty one)."""
        tables = {
            str(r[0])
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            ).fetchall()
        }
        if "meta" not in tables:
            if tables & {"chats", "inbox", "outbox", "processed_updates"}:
                raise StoreCorrupt(
                    f"{self._name}: the database has the bot's tables but no schema version; "
                    "it was not created by this program"
                )
            return 0
        row = cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            return int(row[0]) if row is not None else 0
        except (TypeError, ValueError):
            raise StoreCorrupt(f"{self._name}: the schema version is invalid") from None

    def _migrate(self) -> None:
        """Apply pending PG_MIGRATIONS, each in a transaction under the migration lock."""
        target = self.SCHEMA_VERSION
        if len(PG_MIGRATIONS) < target:
            raise RuntimeError(f"no migration to schema version {target}")
        with self._reading("open") as cur:
            version = self._stored_version(cur)
        self._refuse_newer(version)
        while version < target:
            with self._writing(f"migration to schema version {version + 1}") as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
                version = self._stored_version(cur)  # again, now under the lock
                self._refuse_newer(version)
                if version < target:
                    PG_MIGRATIONS[version](cur)
                    version += 1
                    cur.execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [str(version)],
                    )
                    logger.info("%s: migrating to schema version %d", self._name, version)

    def _refuse_newer(self, version: int) -> None:
        """Raise StoreCorrupt if the database's schema is newer than this program's."""
        if version > self.SCHEMA_VERSION:
            raise StoreCorrupt(
                f"{self._name}: schema version {version} is newer than this program "
                f"supports ({self.SCHEMA_VERSION}); run the newer version of the bot"
            )

    def _tables_with_chat_id(self) -> list[str]:
        """Every table with a chat_id column, with chats last."""
        with self._reading("open") as cur:
            rows = cur.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'chat_id'"
            ).fetchall()
        names = sorted(str(r[0]) for r in rows if r[0] != "chats")
        return [*names, "chats"]

    @contextlib.contextmanager
    def _connection(self, action: str, *, write: bool) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection for one call; pool and connection errors become StoreError."""
        if self._closed:
            raise StoreError(f"{self._name}: the store is closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout:
            raise StoreLocked(
                f"{self._name}: {action} failed: no database connection free or reachable "
                f"within {POOL_TIMEOUT:.0f} s"
            ) from None
        except psycopg.Error as exc:
            raise self._error(exc, action, write=write) from None

    @contextlib.contextmanager
    def _reading(self, action: str) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor for reads (autocommit: each statement its own snapshot)."""
        with self._connection(action, write=False) as conn, conn.cursor() as cur:
            yield cur

    @contextlib.contextmanager
    def _writing(self, action: str) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor inside one transaction, committed at the end or rolled back on error."""
        with (
            self._connection(action, write=True) as conn,
            conn.transaction(),
            conn.cursor() as cur,
        ):
            yield cur

    def _error(self, exc: psycopg.Error, action: str, *, write: bool) -> StoreError:
        """Translate a psycopg error into the StoreError subclass an operator can act on."""
        detail = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
        if isinstance(
            exc,
            pgerrors.LockNotAvailable
            | pgerrors.DeadlockDetected
            | pgerrors.SerializationFailure
            | pgerrors.QueryCanceled,
        ):
            return StoreLocked(f"{self._name}: {action} failed: {detail}; try again")
        if isinstance(exc, pgerrors.UndefinedTable | pgerrors.UndefinedColumn):
            return StoreCorrupt(f"{self._name}: {action} failed: the schema is not ours ({detail})")
        if write or isinstance(exc, psycopg.OperationalError):
            return StoreWriteFailed(
                f"{self._name}: {action} failed and was rolled back ({detail}); "
                "the previously stored state is intact"
            )
        return StoreError(f"{self._name}: {action} failed ({detail})")


def _sql(text: str) -> LiteralString:
    """A statement built from a table name of our own schema (never from input)."""
    return text


class ChatClaims:
    """Which worker works on which chat: session advisory locks on one connection of its own.

    A claim is a lock keyed by (role, chat id); it is held by this connection until released,
    and PostgreSQL releases every claim of a worker whose connection dies (kill -9, a crash).
    A claim taken again in the same worker is refused here (session locks would stack).
    Not thread-safe: the caller runs every call in one thread.
    """

    def __init__(self, url: str, *, application: str = "advisor-claims") -> None:
        """Connect the claims connection."""
        self._url = url
        self._name = describe_url(url)
        self._application = application
        self._conn: psycopg.Connection[Any] | None = None
        self._held: set[tuple[str, int]] = set()
        self._poller = False
        self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        """The open claims connection (reconnecting: every earlier claim is gone then)."""
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if self._conn is not None:
            logger.warning("the claims connection was lost; its claims were released")
            self._held.clear()
            self._poller = False
        try:
            self._conn = psycopg.connect(
                self._url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                application_name=self._application,
            )
        except psycopg.Error as exc:
            raise StoreError(f"{self._name}: cannot connect ({type(exc).__name__})") from None
        return self._conn

    def _query(self, sql: LiteralString, params: list[Any]) -> Any:
        """One statement's single value; a broken connection is StoreError (and reconnects)."""
        conn = self._connect()
        try:
            row = conn.execute(sql, params).fetchone()
        except psycopg.Error as exc:
            if conn.closed or isinstance(exc, psycopg.OperationalError):
                with contextlib.suppress(psycopg.Error):
                    conn.close()
            raise StoreError(f"{self._name}: claim failed ({type(exc).__name__})") from None
        return row[0] if row is not None else None

    def take(self, role: str, chat_id: int) -> bool:
        """Claim the chat for this role; False when another worker (or this one) holds it."""
        key = (role, chat_id)
        if key in self._held:
            return False
        got = bool(
            self._query(
                "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [f"{role}:{chat_id}"]
            )
        )
        if got:
            self._held.add(key)
        return got

    def release(self, role: str, chat_id: int, table: str) -> bool:
        """Let the claim go, then say whether the chat still has rows in that table.

        The check comes after the unlock, in its own statement: a row another worker stored
        while this one held the claim (its own claim refused) is seen here and not stranded.
        """
        key = (role, chat_id)
        if key in self._held:
            self._held.discard(key)
            self._query("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [f"{role}:{chat_id}"])
        if table == "inbox":
            return bool(
                self._query("SELECT EXISTS (SELECT 1 FROM inbox WHERE chat_id = %s)", [chat_id])
            )
        return bool(
            self._query("SELECT EXISTS (SELECT 1 FROM outbox WHERE chat_id = %s)", [chat_id])
        )

    def take_poller(self) -> bool:
        """Become the one worker that long-polls Telegram; False if another one is."""
        if not self._poller:
            self._poller = bool(self._query("SELECT pg_try_advisory_lock(%s)", [POLLER_LOCK]))
        return self._poller

    def close(self) -> None:
        """Close the connection (PostgreSQL releases every claim)."""
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
        self._held.clear()
