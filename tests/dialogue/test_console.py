"""Whole conversations through the real console process, asserting on the printed figures."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from bot.dialogue.profile import build_profile
from bot.render import money
from engine import evaluate
from tests.dialogue.console_driver import Console, run_piped

TODAY = date(2026, 11, 23)
ANSWERED = ["1", "45", "$85k", "60,000", "12000", "3", "2023-03-01", "8000", "2026-12-15", "1"]
# A job change as typed: every question answered (the verdict comes), then two sections opened.
JOB_CHANGE = [*ANSWERED, "Cash-out cost", "Your options"]


def expected(answers: dict[str, object]):  # type: ignore[no-untyped-def]
    """The report the chat should show, computed directly."""
    return evaluate(build_profile(answers, TODAY))


JC_ANSWERS = {
    "path": "job_change",
    "age": [45, None],
    "salary": "85000",
    "balance": "60000",
    "employer": "12000",
    "schedule": "graded6",
    "start_date": "2023-03-01",
    "loan": "8000",
    "leaving_date": "2026-12-15",
    "filing": "single",
}


def opt(report, oid):  # type: ignore[no-untyped-def]
    return next(o for o in report.job_change.options if o.id == oid)


def test_job_change_path_piped(tmp_path: Path) -> None:
    sections = ["Your loan", "Cash-out cost"]  # typed button names open them
    out = run_piped(tmp_path / "a.db", [*JOB_CHANGE, "3", "5%", "none", *sections])
    assert "Question 1 of 13" in out and "Question 9 of 10" in out
    r = expected(JC_ANSWERS)
    assert money(opt(r, "cash_out").net_now) in out
    assert money(r.loan.offset.amount) in out  # type: ignore[union-attr]
    assert "April 15, 2027" in out  # loan offset deadline
    assert "not financial" in out.lower() or "not advice" in out.lower()
    # follow-ups: new plan unknown, then 5% state tax changes the cash-out net
    r2 = expected({**JC_ANSWERS, "new_plan": "unknown", "state_tax": "5"})
    assert money(opt(r2, "cash_out").net_now) in out
    assert "<b>" not in out and "&amp;" not in out


def test_bad_answers_are_reasked_and_nothing_is_stored(tmp_path: Path) -> None:
    c = Console(tmp_path / "b.db")
    assert "What brings you here" in c.first
    c.send("1")
    out = c.send("two hundred")
    assert "45" in out or "e.g." in out.lower() or "example" in out.lower()
    c.send("45")
    out = c.send("-5000")
    assert "Question 2 of" in out  # re-asked
    out = c.send("85")
    assert "85,000" in out  # doubtful: confirm
    out = c.send("yes")
    assert "Question 3 of" in out
    out = c.send("/back")
    assert "Keep" in out and "$85,000" in out
    out = c.send("keep")
    assert "Question 3 of" in out
    assert c.close() == 0


def test_edit_shows_the_change(tmp_path: Path) -> None:
    c = Console(tmp_path / "c.db")
    for line in JOB_CHANGE:
        out = c.send(line)
    assert "rollover" in out.lower()
    out = c.send("/edit")
    assert "Which answer" in out
    out = c.send("2")  # salary
    assert "Keep" in out
    out = c.send("120k")
    assert "→" in out or "->" in out
    assert c.close() == 0


def test_forget_deletes_every_row(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    c = Console(db, chat_id=42)
    for line in JOB_CHANGE[:4]:
        c.send(line)
    out = c.send("/forget")
    assert "Delete everything" in out
    out = c.send("yes")
    assert "deleted" in out.lower()
    assert c.close() == 0
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from chats where chat_id=42").fetchone()[0] == 0
    assert con.execute("select count(*) from processed_updates where chat_id=42").fetchone()[0] == 0


def test_sigkill_mid_conversation_keeps_every_answer(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    c = Console(db, chat_id=9)
    for line in JOB_CHANGE[:5]:
        out = c.send(line)
    assert "Question 5 of 10" in out  # the 4 answers so far were acknowledged
    c.kill()
    again = Console(db, chat_id=9)
    assert "Welcome back" in again.first
    assert "Question 5 of 10" in again.first
    for line in ANSWERED[5:]:
        out = again.send(line)
    assert "My suggestion" in out
    out = again.send("Cash-out cost")
    r = expected(JC_ANSWERS)
    assert money(opt(r, "cash_out").net_now) in out
    assert again.close() == 0


def test_other_paths(tmp_path: Path) -> None:
    saving = ["4", "52", "65", "210000", "300k", "10%", "2", "200k", "Limits"]
    out = run_piped(tmp_path / "s.db", saving, chat_id=1)
    assert "$32,500" in out  # 2026 limit with the age-50 catch-up
    assert "must be Roth" in out  # 2025 wages over $150,000 (IRC 414(v)(7))
    loan = ["2", "40", "90k", "80000", "none", "none", "10k", "1", "8.5%", "biweekly", "1"]
    loan += ["Borrowing"]
    out = run_piped(tmp_path / "l.db", loan, chat_id=2)
    assert "$40,000" in out  # 50% of $80,000
    withdrawal = ["3", "40", "75000", "60000", "none", "none", "1", "10k", "none", "none", "1"]
    out = run_piped(tmp_path / "w.db", withdrawal, chat_id=3)
    assert "10%" in out


def test_forget_removes_this_chats_chart_files(tmp_path: Path) -> None:
    """The console's /forget deletes the chart PNGs it wrote for this chat, not others'."""
    charts = tmp_path / "charts"
    other = charts / "options-chat99-0123456789ab.png"
    charts.mkdir()
    other.write_bytes(b"x")
    c = Console(tmp_path / "f.db", chat_id=5)
    for line in [*JOB_CHANGE, "Chart"]:
        c.send(line)
    assert list(charts.glob("*-chat5-*.png"))
    c.send("/forget")
    out = c.send("yes")
    assert "deleted" in out.lower()
    assert not list(charts.glob("*-chat5-*.png"))
    assert other.exists()
    assert c.close() == 0


def test_the_answer_in_parts_through_the_console(tmp_path: Path) -> None:
    """A job changer reaches the verdict, opens two sections by number, then /why and one of
    its sections, in the real console process."""
    c = Console(tmp_path / "parts.db")
    for line in ANSWERED[:-1]:
        c.send(line)
    verdict = c.send(ANSWERED[-1])
    assert "My suggestion" in verdict and "First deadline" in verdict
    for line in ["3", "0", "none", "no", "no", "skip"]:  # the follow-ups
        c.send(line)
    last = c.send("skip")
    menu = [line.strip() for line in last.splitlines() if line.startswith("  ")]
    number = {m.split(". ", 1)[1]: m.split(". ", 1)[0] for m in menu}
    options = c.send(number["Your options"])
    assert "Your options, side by side" in options and "(Chart: " in options
    assert "  1. Short answer" in options
    menu = [line.strip() for line in options.splitlines() if line.startswith("  ")]
    number = {m.split(". ", 1)[1]: m.split(". ", 1)[0] for m in menu}
    loan = c.send(number["Your loan"])
    assert "becomes a loan offset" in loan and "(Chart: " not in loan
    listing = c.send("/why")
    assert "Where the figures come from" in listing and ". Vesting" in listing
    menu = [line.strip() for line in listing.splitlines() if line.startswith("  ")]
    number = {m.split(". ", 1)[1]: m.split(". ", 1)[0] for m in menu}
    vesting = c.send(number["Vesting"])
    assert "Where the figures come from: Vesting" in vesting
    assert "portable_balance" not in vesting and "Most you can borrow" not in vesting
    assert c.close() == 0
