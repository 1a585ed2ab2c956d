"""The console adapter: the same dialogue in a terminal, over stdin/stdout (interfaces.md 2)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from bot.dialogue.machine import Reply, handle
from bot.store import SQLiteStore, StoreError

DEFAULT_DB = "data/advisor.db"
APOLOGY = "Sorry, something went wrong on my side. Your answers are safe; please try again."
SAVE_FAILED = "Sorry, I could not save that; your previous answers are kept. Please try again."


def show(replies: list[Reply], out: TextIO) -> list[tuple[str, str]]:
    """Print replies as plain text; return the choices of the last one."""
    from bot import render
    from bot.chart import chart_file

    choices: list[tuple[str, str]] = []
    for r in replies:
        out.write(render.to_plain(r.text).rstrip() + "\n")
        if r.report is not None:
            path = chart_file(r.report)
            if path:
                out.write(f"(Chart: {path})\n")
        choices = r.choices
        for i, (_, label) in enumerate(r.choices, 1):
            out.write(f"  {i}. {label}\n")
        out.write("\n")
    return choices


def pick(text: str, choices: list[tuple[str, str]]) -> str | None:
    """The choice key for a typed number or an exact label."""
    t = text.strip().rstrip(".")
    if t.isdigit() and 1 <= int(t) <= len(choices):
        return choices[int(t) - 1][0]
    for key, label in choices:
        if t.casefold() == label.casefold():
            return key
    return None


def run(db: str, chat_id: int, today: date, inp: TextIO, out: TextIO) -> int:
    """Read lines until end of input; each acknowledged answer is on disk before it is shown."""
    try:
        store = SQLiteStore(db)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with store:
        record = store.load(chat_id)
        state: dict[str, Any] | None = record.state if record else None
        state, replies = handle(state, "/start", today=today)
        if state is not None:
            store.save(chat_id, state)
        choices = show(replies, out)
        while True:
            out.write("> ")
            out.flush()
            line = inp.readline()
            if not line:
                out.write("\n")
                return 0
            text = line.rstrip("\n")
            key = pick(text, choices) if choices else None
            question = _question_of(state)
            button = (question, key) if key is not None and question else None
            try:
                new, replies = handle(state, text, today=today, button=button)
                if new is None:
                    store.forget(chat_id)
                else:
                    store.save(chat_id, new)
            except StoreError:
                replies = [Reply(SAVE_FAILED)]
                new = state
            except Exception as exc:  # a bug: apologise, keep the last saved state, go on
                print(f"error: {type(exc).__name__} (nothing was saved)", file=sys.stderr)
                replies = [Reply(APOLOGY)]
                new = state
            state = new
            try:
                choices = show(replies, out)
            except Exception as exc:
                print(f"error: {type(exc).__name__} while showing the reply", file=sys.stderr)
                choices = []


def _question_of(state: dict[str, Any] | None) -> str | None:
    """The key a button in the current prompt answers."""
    if state is None:
        return "goal"
    mode = state.get("mode")
    if mode in ("start", "goal"):
        return "goal"
    if mode == "asking":
        cur = state.get("current")
        return str(cur) if cur else None
    return str(mode)


def main(argv: list[str]) -> int:
    """python -m bot console [--db PATH] [--chat-id ID] [--as-of YYYY-MM-DD]."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bot console")
    ap.add_argument("--db", default=DEFAULT_DB)
    ap.add_argument("--chat-id", type=int, default=1)
    ap.add_argument("--as-of", type=date.fromisoformat, default=None)
    args = ap.parse_args(argv)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    today = args.as_of or date.today()
    return run(args.db, args.chat_id, today, sys.stdin, sys.stdout)
