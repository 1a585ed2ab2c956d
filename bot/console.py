"""The console adapter: the same dialogue in a terminal, over stdin/stdout (interfaces.md 2)."""

from __future__ import annotations

import re
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import TextIO

from bot import render
from bot.chart import chart_file, forget_charts
from bot.dialogue.machine import handle
from bot.dialogue.replies import Reply
from bot.dialogue.state import ChatState, restore, stored
from bot.store import SQLiteStore, StoreError
from bot.wording import say

DEFAULT_DB = "data/advisor.db"
_QUIT = re.compile(r"/?(?:quit|exit)", re.IGNORECASE)


def _plain(key: str) -> str:
    """A message as the console prints it."""
    return render.to_plain(say(key))


def owner_of(chat_id: int) -> str:
    """The name chart files of this chat carry (so /forget can find them)."""
    return f"chat{chat_id}"


def show(replies: list[Reply], out: TextIO, owner: str = "") -> Reply | None:
    """Print replies as plain text; return the last one (its numbered choices are the ones a
    typed number picks). Choices of an earlier reply, followed by another reply's choices, are
    shown by name on a line (typing a name still works), so only one menu is numbered."""
    last: Reply | None = None
    for n, r in enumerate(replies):
        out.write(render.to_plain(r.text).rstrip() + "\n")
        if r.has_chart and r.report is not None:
            path = chart_file(r.report, owner=owner)
            if path:
                out.write(render.to_plain(say("dialogue.console.chart", path=str(path))) + "\n")
        if r.choices and any(later.choices for later in replies[n + 1 :]):
            names = " · ".join(c.label for c in r.choices)
            line = render.to_plain(say("dialogue.console.names", names=names))
            out.write(textwrap.fill(line, width=78, initial_indent="  ", subsequent_indent="  "))
            out.write("\n")
        else:
            for i, choice in enumerate(r.choices, 1):
                out.write(f"  {i}. {choice.label}\n")
        out.write("\n")
        last = r
    return last


def is_quit(text: str) -> bool:
    """`quit` or `exit`, in any case, with or without a slash."""
    return _QUIT.fullmatch(text.strip()) is not None


def run(db: str, chat_id: int, today: date, inp: TextIO, out: TextIO) -> int:
    """Read lines until quit or end of input; each acknowledged answer is on disk before shown."""
    try:
        store = SQLiteStore(db)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        with store:
            return _converse(store, chat_id, today, inp, out)
    except KeyboardInterrupt:  # Ctrl-C: every acknowledged answer is already saved
        out.write("\n" + _plain("dialogue.console.bye") + "\n")
        out.flush()
        return 0


def _converse(store: SQLiteStore, chat_id: int, today: date, inp: TextIO, out: TextIO) -> int:
    """The loop: read a line, hand it to the dialogue, save, print."""
    record = store.load(chat_id)
    state: ChatState | None = restore(record.state if record else None)
    state, replies = handle(state, "/start", today=today)
    if state is not None:
        store.save(chat_id, stored(state))
    out.write(_plain("dialogue.console.how_to_leave") + "\n\n")
    last = show(replies, out, owner_of(chat_id))
    while True:
        out.write("> ")
        out.flush()
        line = inp.readline()
        if not line:
            out.write("\n" + _plain("dialogue.console.bye") + "\n")
            return 0
        text = line.rstrip("\n")
        if is_quit(text):
            out.write(_plain("dialogue.console.bye") + "\n")
            return 0
        button = last.pick(text) if last is not None else None
        try:
            new, replies = handle(state, text, today=today, button=button)
            if new is None:
                store.forget(chat_id)
                forget_charts(owner_of(chat_id))
            else:
                store.save(chat_id, stored(new))
        except StoreError:
            replies = [Reply(say("common.save_failed"))]
            new = state
        except Exception as exc:  # a bug: apologise, keep the last saved state, go on
            print(f"error: {type(exc).__name__} (nothing was saved)", file=sys.stderr)
            replies = [Reply(say("common.apology"))]
            new = state
        state = new
        try:
            last = show(replies, out, owner_of(chat_id))
        except Exception as exc:
            print(f"error: {type(exc).__name__} while showing the reply", file=sys.stderr)
            last = None


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
