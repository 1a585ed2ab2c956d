"""The inbox and outbox of the Telegram adapter on both backends; SQLite's file modes and lock."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from bot.store import (
    Outgoing,
    ProcessLock,
    Received,
    SQLiteStore,
    StoreLocked,
    StoreWriteFailed,
    Turn,
)
from bot.telegram.outgoing import message
from bot.telegram.outgoing import pressed as pressed_entry
from bot.telegram.updates import Incoming
from tests.store.conftest import Backend


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_update_is_received_once_and_not_again_after_processing(backend: Backend) -> None:
    with backend.open() as s:
        first = Received(10, 7, {"kind": "text", "text": "45"})
        assert s.receive([first, Received(11, 7, {"kind": "text", "text": "85k"})]) == 2
        assert s.receive([first]) == 0  # redelivered before processing
        assert s.inbox_chats() == [7]
        row = s.next_received(7)
        assert row is not None and row.update_id == 10 and row.body["text"] == "45"
        assert s.commit_turn(Turn(7, 10, state={"a": 1}, replies=[Outgoing({"t": "Q2"})]))
        assert not s.commit_turn(Turn(7, 10, state={"a": 2}))  # applied once
        assert s.receive([first]) == 0  # redelivered after processing
        nxt = s.next_received(7)
        assert nxt is not None and nxt.update_id == 11
        assert s.load_state(7) == {"a": 1}


def test_turn_is_one_transaction(backend: Backend) -> None:
    with backend.open() as s:
        s.receive([Received(1, 3, {"text": "x"})])
        backend.break_outbox()  # the last write of the turn fails
        with pytest.raises(StoreWriteFailed):
            s.commit_turn(Turn(3, 1, state={"a": 1}, replies=[Outgoing({"t": "r"})]))
        backend.mend_outbox()
        assert s.load_state(3) is None and s.next_outgoing(3) is None
        assert not s.was_processed(1) and s.next_received(3) is not None
        assert s.commit_turn(Turn(3, 1, state={"a": 1}, replies=[Outgoing({"t": "r"})]))


def test_outbox_in_order_resend_hash_and_delivery(backend: Backend) -> None:
    with backend.open() as s:
        replies = [Outgoing({"n": 1}), Outgoing({"n": 2}, b"\x89PNG")]
        s.commit_turn(Turn(5, 1, state={"a": 1}, replies=replies, input_hash="h1"))
        assert s.awaiting_input(5) == "h1" and s.outbox_chats() == [5]
        assert s.backlog()[0] == 2
        one = s.next_outgoing(5)
        assert one is not None and one.body == {"n": 1} and one.photo is None
        s.delivered(one.id)
        two = s.next_outgoing(5)
        assert two is not None and two.body == {"n": 2} and two.photo == b"\x89PNG"
        s.delivered(two.id)
        assert s.next_outgoing(5) is None and s.awaiting_input(5) is None
        assert s.backlog() == (0, None)


def test_a_chats_whole_outbox_is_read_in_order(backend: Backend) -> None:
    with backend.open() as s:
        s.commit_turn(Turn(5, 1, state={"a": 1}, replies=[Outgoing({"n": 1})], input_hash="h1"))
        s.commit_turn(Turn(6, 2, state={"b": 1}, replies=[Outgoing({"other": 1})]))
        s.commit_turn(Turn(5, 3, replies=[Outgoing({"n": 2}), Outgoing({"n": 3}, b"\x89PNG")]))
        queued = s.outgoing_of(5)
        assert [q.body for q in queued] == [{"n": 1}, {"n": 2}, {"n": 3}]
        assert [q.update_id for q in queued] == [1, 3, 3] and queued[2].photo == b"\x89PNG"
        assert [q.id for q in queued] == sorted(q.id for q in queued)
        assert [q.body for q in s.outgoing_of(5, limit=2)] == [{"n": 1}, {"n": 2}]
        first = s.next_outgoing(5)
        assert first is not None and first.id == queued[0].id
        s.delivered(queued[0].id, queued[1].id)
        assert [q.id for q in s.outgoing_of(5)] == [queued[2].id]
        assert s.outgoing_of(7) == []


def test_an_edit_is_queued_in_order_with_the_replies_and_the_pressed_message_kept(
    backend: Backend,
) -> None:
    """A button's edit is an outbox entry like a reply (no new column: the body holds it)."""
    pressed = Incoming(
        3,
        5,
        "private",
        "button",
        data="a:goal:loan",
        callback_id="q",
        message_id=41,
        message_html="<i>Pick</i>",
        label="A 401(k) loan",
    )
    with backend.open() as s:
        s.receive([pressed.received()])
        row = s.next_received(5)
        assert row is not None and Incoming.from_received(row) == replace(pressed, unanswered=())
        edit = pressed_entry(41, "<i>Pick</i>", "A 401(k) loan", stale=False)
        reply = message("Question 1 of 9", placeholder="e.g. 45")
        s.commit_turn(Turn(5, 3, state={"a": 1}, replies=[*edit, reply], input_hash="h"))
        first, second = s.next_outgoing(5), None
        assert first is not None and first.body["kind"] == "edit"
        assert first.body["message_id"] == 41 and first.body["html"].endswith("✓ A 401(k) loan")
        s.delivered(first.id)
        second = s.next_outgoing(5)
        assert second is not None and second.body["placeholder"] == "e.g. 45"
        assert SQLiteStore.SCHEMA_VERSION == 2  # nothing new to migrate


def test_forget_turn_removes_the_chat_and_keeps_only_its_confirmation(backend: Backend) -> None:
    with backend.open() as s:
        s.commit_turn(Turn(9, 1, state={"salary": "987654"}, replies=[Outgoing({"q": 2})]))
        s.receive([Received(2, 9, {"text": "/forget"}), Received(3, 9, {"text": "later"})])
        assert s.commit_turn(Turn(9, 2, forget=True, replies=[Outgoing({"t": "deleted"})]))
        assert s.load_state(9) is None
        queued = s.next_outgoing(9)
        assert queued is not None and queued.body == {"t": "deleted"}  # the earlier reply is gone
        nxt = s.next_received(9)
        assert nxt is not None and nxt.update_id == 3  # a later message is still answered
        assert backend.raw("SELECT count(*) FROM processed_updates WHERE chat_id = 9") == [(0,)]
        assert backend.raw("SELECT chat_id FROM processed_updates WHERE update_id = 2") == [(0,)]
        assert s.was_processed(2) and s.was_processed(1) is False


def test_malformed_state_reads_as_none(backend: Backend) -> None:
    with backend.open() as s:
        s.save(4, {"a": 1})
        backend.raw("UPDATE chats SET state = '[1, 2]' WHERE chat_id = 4")
        assert s.load_state(4) is None


def test_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "state" / "p.db"
        with SQLiteStore(db) as s:
            s.save(1, {"a": 1})
            assert mode(db.parent) == 0o700
            for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                assert mode(f) == 0o600, f
            s.backup(tmp_path / "backups" / "b.db")
        assert mode(tmp_path / "backups" / "b.db") == 0o600
        db.chmod(0o644)
        SQLiteStore(db).close()
        assert mode(db) == 0o600  # an existing file is narrowed
    finally:
        os.umask(old)


def test_process_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    lock = ProcessLock(db)
    with pytest.raises(StoreLocked, match="in use by another bot process"):
        ProcessLock(db)
    lock.release()
    ProcessLock(db).release()
    assert mode(Path(f"{db}.lock")) == 0o600


def test_receipt_notes_what_was_unanswered_when_a_message_arrived(backend: Backend) -> None:
    with backend.open() as s:
        s.receive([Received(1, 6, {"hash": "h85k"})])
        s.receive([Received(2, 6, {"hash": "h85k"})])  # sent again before any answer
        first = s.next_received(6)
        assert first is not None and first.body["unanswered"] == []
        s.commit_turn(Turn(6, 1, state={"a": 1}, replies=[Outgoing({"q": 3})], input_hash="h85k"))
        second = s.next_received(6)
        assert second is not None and second.body["unanswered"] == ["h85k"]
        s.commit_turn(Turn(6, 2))
        s.receive([Received(3, 6, {"hash": "h85k"})])  # its reply is still in the outbox
        third = s.next_received(6)
        assert third is not None and third.body["unanswered"] == ["h85k"]
        s.commit_turn(Turn(6, 3))
        queued = s.next_outgoing(6)
        assert queued is not None
        s.delivered(queued.id)
        s.receive([Received(4, 6, {"hash": "h85k"})])  # after the answer came: a new message
        fourth = s.next_received(6)
        assert fourth is not None and fourth.body["unanswered"] == []
