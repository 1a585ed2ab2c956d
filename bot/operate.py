"""Operator commands: backup, purge, check (run by hand or by the retention timer)."""

from __future__ import annotations

import argparse
import sys

from bot.pgstore import PostgresStore, describe_url
from bot.settings import Settings, SettingsError, load_settings
from bot.store import SQLiteStore, StoreError


def open_store(settings: Settings) -> SQLiteStore | PostgresStore:
    """The configured store: PostgreSQL when ADVISOR_DATABASE_URL is set, else the SQLite file."""
    if settings.ADVISOR_DATABASE_URL is not None:
        return PostgresStore(settings.ADVISOR_DATABASE_URL.get_secret_value(), pool_size=1)
    return SQLiteStore(settings.ADVISOR_DB, synchronous=settings.ADVISOR_DB_SYNC)


def database_name(settings: Settings) -> str:
    """The database as messages name it (a URL without its password, or the file)."""
    if settings.ADVISOR_DATABASE_URL is not None:
        return describe_url(settings.ADVISOR_DATABASE_URL.get_secret_value())
    return str(settings.ADVISOR_DB)


def main(cmd: str, argv: list[str]) -> int:
    """Run one operator command; errors are one clear line on stderr and exit 1 or 2."""
    try:
        settings = load_settings(need_token=cmd == "check" and "--telegram" in argv)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(prog=f"python -m bot {cmd}")
    if cmd == "backup":
        ap.add_argument("path")
    if cmd == "purge":
        ap.add_argument("--inactive-days", type=int, default=settings.ADVISOR_RETENTION_DAYS)
    if cmd == "check":
        ap.add_argument("--telegram", action="store_true", help="also require the bot token")
    args = ap.parse_args(argv)
    name = database_name(settings)
    try:
        with open_store(settings) as store:
            if cmd == "backup":
                store.backup(args.path)
                print(f"backed up {name} to {args.path}")
            elif cmd == "purge":
                if args.inactive_days < 1:
                    print("error: --inactive-days must be at least 1", file=sys.stderr)
                    return 2
                n = store.purge_inactive(args.inactive_days)
                store.prune_processed()
                print(f"purged {n} chats inactive for {args.inactive_days} days or more")
            else:
                stats = store.stats()
                print(f"settings ok; database {name} ok ({stats['chats']} chats)")
    except (StoreError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
