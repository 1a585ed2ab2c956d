"""Leaving the console: quit/exit, Ctrl-D and Ctrl-C each end it with one line and exit 0."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import pytest

from bot.wording import say
from tests.dialogue.console_driver import Console, run_piped

ROOT = Path(__file__).resolve().parents[2]
BYE = say("dialogue.console.bye")


def rest(c: Console) -> tuple[int, str, str]:
    """Wait for the end; the exit code, the remaining output and the errors."""
    code = c.proc.wait(timeout=30)
    assert c.proc.stdout is not None and c.proc.stderr is not None
    return code, c.proc.stdout.read().decode(), c.proc.stderr.read().decode()


def test_first_screen_says_how_to_leave(tmp_path: Path) -> None:
    c = Console(tmp_path / "a.db")
    try:
        assert "Type quit or press Ctrl-D to leave" in c.first
        assert "What brings you here" in c.first
    finally:
        c.kill()


@pytest.mark.parametrize("word", ["quit", "EXIT", "/quit", " Exit "])
def test_quit_or_exit_ends_with_one_line(tmp_path: Path, word: str) -> None:
    c = Console(tmp_path / "b.db")
    c.send("1")
    assert c.proc.stdin is not None
    c.proc.stdin.write((word + "\n").encode())
    c.proc.stdin.flush()
    code, out, err = rest(c)
    assert code == 0 and out.strip() == BYE and err == ""


def test_ctrl_d_ends_with_one_line_and_keeps_the_answers(tmp_path: Path) -> None:
    c = Console(tmp_path / "c.db")
    c.send("1")
    c.send("45")
    assert c.proc.stdin is not None
    c.proc.stdin.close()
    code, out, err = rest(c)
    assert code == 0 and out.strip() == BYE and err == ""
    again = Console(tmp_path / "c.db")
    try:
        assert "Welcome back" in again.first and "Question 2 of" in again.first
    finally:
        again.kill()


def test_ctrl_c_ends_with_one_line_no_traceback(tmp_path: Path) -> None:
    c = Console(tmp_path / "d.db")
    c.send("1")
    time.sleep(0.2)  # the console waits in readline
    c.proc.send_signal(signal.SIGINT)
    code, out, err = rest(c)
    assert code == 0 and out.strip() == BYE
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_readme_transcript_comes_out_the_same(tmp_path: Path) -> None:
    """The README's "A real conversation", replayed; only the leave/bye lines may differ."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A real conversation", 1)[1]
    block = section.split("```\n", 1)[1].split("\n```", 1)[0]
    typed = [line[2:] for line in block.splitlines() if line.startswith("> ") and line[2:]]
    out = run_piped(tmp_path / "r.db", typed)
    extra = {say("dialogue.console.how_to_leave"), BYE}

    def norm(text: str) -> list[str]:
        lines = [line[:2] if line.startswith("> ") else line for line in text.splitlines()]
        lines = [line for line in lines if line not in extra]
        lines = [re.sub(r"\(Chart: .*/(options-\w+\.png)\)", r"(Chart: \1)", x) for x in lines]
        return [line.rstrip() for line in "\n".join(lines).strip().splitlines()]

    def unechoed(text: str) -> str:
        # the README shows what was typed after each prompt; a pipe does not echo it
        return "\n".join("> " if line.startswith("> ") else line for line in text.splitlines())

    expected = norm(unechoed(block))
    got = norm("\n".join(line.replace("> ", "> \n", 1) for line in out.splitlines()))
    assert got == expected
