"""The withdrawal and loan paths through the real console, typed as a person would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.dialogue.profile import build_profile
from bot.render import money
from engine import evaluate
from tests.dialogue.console_driver import run_piped
from tests.dialogue.test_console import TODAY

# A 38-year-old who still works there and needs $8,000 in hand for medical bills.
WITHDRAWAL_TYPED = [
    "An early withdrawal",
    "38",
    "$75k",
    "40,000",
    "none",
    "no loan",
    "I still work there",
    "I need 8,000 in hand",
    "medical bills",
    "9000",
    "none of these",
    "single",
]
WITHDRAWAL_ANSWERS: dict[str, Any] = {
    "path": "withdrawal",
    "age": [38, None],
    "salary": "75000",
    "balance": "40000",
    "employer": "0",
    "loan": "0",
    "employment": "staying",
    "withdraw": ["8000", "net"],
    "reason": "medical",
    "medical_expenses": "9000",
    "situation": "none",
    "filing": "single",
}

# A 30-year-old who wants $30,000 to buy a home, repaid over 15 years, paid every two weeks.
LOAN_TYPED = [
    "2",
    "30",
    "70k",
    "80000",
    "none",
    "none",
    "30k",
    "buying a home",
    "15 years",
    "8.5%",
    "biweekly",
    "1",
]
LOAN_ANSWERS: dict[str, Any] = {
    "path": "loan",
    "age": [30, None],
    "salary": "70000",
    "balance": "80000",
    "employer": "0",
    "loan": "0",
    "loan_amount": "30000",
    "loan_purpose": "residence",
    "loan_years": 15,
    "loan_rate": "8.5",
    "pay_frequency": "26",
    "filing": "single",
}


def test_withdrawal_path_finds_the_gross_for_the_cash_needed(tmp_path: Path) -> None:
    typed = [*WITHDRAWAL_TYPED, "Your withdrawal"]  # the verdict, then that section opened
    out = run_piped(tmp_path / "w.db", typed, as_of=TODAY.isoformat())
    w = evaluate(build_profile(WITHDRAWAL_ANSWERS, TODAY)).withdrawal
    assert w is not None and w.net == 8000 and w.withholding_rule == "elective_10"
    assert f"To have $8,000 in hand, ask the plan for {money(w.gross)}" in out
    assert money(w.federal_tax) in out and money(w.penalty) in out
    assert "Exception: medical bills above" in out and money(w.penalty_free) in out
    assert "hardship withdrawal" in out and "If you cash it all out" not in out


def test_loan_path_shows_the_payment_per_paycheck(tmp_path: Path) -> None:
    typed = [*LOAN_TYPED, "Your new loan", "I got laid off?"]  # a section, then a question
    out = run_piped(tmp_path / "l.db", typed, as_of=TODAY.isoformat())
    q = evaluate(build_profile(LOAN_ANSWERS, TODAY)).loan.request
    assert q is not None and q.allowed and q.payment is not None
    assert f"You repay {money(q.payment)} each payday" in out
    assert f"{q.number_of_payments} payments, {q.payments_per_year} a year" in out
    assert money(q.total_interest or 0) in out and "After 12 months" in out
    # a typed question after the answer shows that part again, in their numbers
    after = out.split("I got laid off?")[-1] if "I got laid off?" in out else out
    assert after.count("If your job ends, in your numbers:") == 1
    assert money(q.if_job_lost[1].balance) in after
