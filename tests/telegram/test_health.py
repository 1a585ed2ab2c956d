"""What /healthz says, from the liveness facts the bot keeps (no process needed)."""

from __future__ import annotations

import time

from bot.telegram.health import Health


def test_healthy_only_when_the_loop_is_alive_writes_succeed_and_the_database_answers() -> None:
    h = Health(mode="polling", poll_timeout=10)
    h.polled()
    h.wrote()
    assert h.report("reachable", 0, None)["ok"] is True
    assert h.report("unreachable", None, None)["ok"] is False
    h.write_failed("StoreWriteFailed")
    body = h.report("reachable", 3, "2026-12-03T00:00:00+00:00")
    assert body["ok"] is False and body["writes_ok"] is False and body["outbox_backlog"] == 3
    h.wrote()
    h.poll_at = time.monotonic() - 120  # the last getUpdates returned two minutes ago
    body = h.report("reachable", 0, None)
    assert body["ok"] is False and body["loop_alive"] is False


def test_webhook_mode_has_no_poll_loop_to_watch() -> None:
    h = Health(mode="webhook")
    h.started_at = time.monotonic() - 3600
    assert h.report("reachable", 0, None)["loop_alive"] is True
