"""Operator commands: backup, purge, check (run by hand or by the retention timer)."""

from __future__ import annotations

import argparse
import sys

from bot.settings import SettingsError, load_settings
from bot.store import SQLiteStore, StoreError


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
    try:
        with SQLiteStore(settings.ADVISOR_DB, synchronous=settings.ADVISOR_DB_SYNC) as store:
            if cmd == "backup":
                store.backup(args.path)
                print(f"backed up {settings.ADVISOR_DB} to {args.path}")
            elif cmd == "purge":
                if args.inactive_days < 1:
                    print("error: --inactive-days must be at least 1", file=sys.stderr)
                    return 2
                n = store.purge_inactive(args.inactive_days)
                store.prune_processed()
                print(f"purged {n} chats inactive for {args.inactive_days} days or more")
            else:
                stats = store.stats()
                print(f"settings ok; database {settings.ADVISOR_DB} ok ({stats['chats']} chats)")
    except (StoreError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
