"""Leaving the console: quit/exit, Ctrl-D and Ctrl-C each end it with one line and exit 0."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.wording import say
from tests.dialogue import transcript
from tests.dialogue.console_driver import Console

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


@pytest.mark.parametrize("heading", transcript.HEADINGS)
def test_readme_transcript_comes_out_the_same(heading: str) -> None:
    """Each README transcript, replayed through the real console, line for line."""
    block = transcript.shown(heading=heading)
    assert transcript.produce(transcript.typed(block)) == block
