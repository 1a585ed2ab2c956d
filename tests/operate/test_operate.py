"""Operator commands as real subprocesses: settings errors, backup/restore, purge."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dialogue.console_driver import run_piped

ROOT = Path(__file__).resolve().parents[2]


def bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"WEBHOOK_PORT": "abc"}, "WEBHOOK_PORT"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": "nocolon"}, "TELEGRAM_BOT_TOKEN"),
        ({"WEBHOOK_URL": "http://plain.example/tg", "WEBHOOK_SECRET": "x"}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://a.example/tg"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://a.example/tg", "WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://a.example/tg", "WEBHOOK_SECRET": "a b;c"}, "WEBHOOK_SECRET"),
        ({"ADVISOR_RETENTION_DAYS": "0"}, "ADVISOR_RETENTION_DAYS"),
    ],
)
def test_bad_setting_names_the_variable(env: dict[str, str], needle: str, tmp_path: Path) -> None:
    proc = bot("check", ADVISOR_DB=str(tmp_path / "x.db"), **env)
    assert proc.returncode == 2
    assert needle in proc.stderr


def test_missing_token_stops_telegram_start(tmp_path: Path) -> None:
    proc = bot("telegram", ADVISOR_DB=str(tmp_path / "x.db"))
    assert proc.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in proc.stderr and "BotFather" in proc.stderr


def test_corrupt_database_is_a_clear_startup_error(tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    db.write_bytes(b"this is not a database" * 100)
    proc = bot("check", ADVISOR_DB=str(db))
    assert proc.returncode == 1
    assert str(db) in proc.stderr


def test_backup_then_restore_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    run_piped(db, ["1", "45", "85k"], chat_id=5)
    backup = tmp_path / "backup.db"
    proc = bot("backup", str(backup), ADVISOR_DB=str(db))
    assert proc.returncode == 0, proc.stderr
    assert bot("backup", str(backup), ADVISOR_DB=str(db)).returncode == 1  # never overwrites
    db.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    backup.rename(db)  # restore
    out = run_piped(db, [], chat_id=5)
    assert "Welcome back" in out and "Question 3 of" in out


def test_purge_deletes_only_inactive_chats(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    run_piped(db, ["1", "45"], chat_id=1)
    run_piped(db, ["1", "50"], chat_id=2)
    con = sqlite3.connect(db)
    con.execute("update chats set updated_at='2020-01-01T00:00:00.000000+00:00' where chat_id=1")
    con.commit()
    con.close()
    proc = bot("purge", "--inactive-days", "30", ADVISOR_DB=str(db))
    assert proc.returncode == 0, proc.stderr
    assert "purged 1 chats" in proc.stdout
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("select chat_id from chats")] == [2]
