"""Turns the chat's answers into an engine Profile (defaults stated, nothing guessed silently)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine import SUPPORTED_YEARS, Profile, parse_profile
from engine import parameters as params
from engine.profile import Assumptions
from engine.rules.dates import add_years


def tax_year_for(today: date) -> int:
    """The year of today if supported, else the latest supported year."""
    return today.year if today.year in SUPPORTED_YEARS else max(SUPPORTED_YEARS)


def service(start: date, on: date) -> tuple[int, date]:
    """Completed years of service on a date, and the next anniversary after it."""
    years = 0
    while add_years(start, years + 1) <= on:
        years += 1
    return years, add_years(start, years + 1)


def build_profile(answers: dict[str, Any], today: date) -> Profile:
    """A validated Profile from the answers; raises InvalidProfile naming the bad field."""
    year = tax_year_for(today)
    as_of = today if today.year == year else date(year, 12, 31)
    data: dict[str, Any] = {"as_of": as_of.isoformat(), "tax_year": year}
    age, birth = answers["age"]
    if birth is not None:
        data["birth_date"] = birth
    else:
        data["age"] = age + (year - today.year)
    data["salary"] = answers["salary"]
    data["filing_status"] = answers.get("filing", "single")
    spouse = _given(answers, "spouse_age")
    if spouse is not None and data["filing_status"] == "married_joint":
        s_age, s_birth = spouse
        if s_birth is not None:
            data["spouse_birth_date"] = s_birth
        else:
            data["spouse_age"] = s_age + (year - today.year)
    data["assumptions"] = _assumptions(answers)
    data["state_tax_percent"] = answers.get("state_tax", "0")
    path = answers["path"]
    if answers.get("prior_wages") is not None:
        data["prior_year_fica_wages"] = answers["prior_wages"]
    if path == "saving":
        data["contribution_percent"] = answers.get("contribution", "0")
        data["match"] = [
            {"match_percent": m, "on_pay_percent": o} for m, o in answers.get("match", [])
        ]
        if answers.get("balance") is not None:
            data["balances"] = {"pretax": answers["balance"]}
        return parse_profile(data)
    if path == "retiring":
        data["balances"] = {"pretax": answers["savings"]}
        data["retirement"] = _retirement(answers, data)
        return parse_profile(data)
    balance = Decimal(answers["balance"])
    employer = min(Decimal(answers.get("employer", "0")), balance)
    roth = min(Decimal(answers.get("roth", "0")), balance - employer)
    roth_year = answers.get("roth_year")
    schedule = answers.get("schedule", "immediate")
    leaving = path == "job_change" or answers.get("employment") == "leaving"
    sep = answers.get("leaving_date") if leaving else None
    when = date.fromisoformat(sep) if sep else as_of
    vesting: dict[str, Any] = {"schedule": "immediate"}
    if employer > 0 and schedule in ("cliff3", "graded6", "unknown") and answers.get("start_date"):
        start = date.fromisoformat(answers["start_date"])
        years, next_year = service(start, as_of)
        table = slowest_schedule(year) if schedule == "unknown" else schedule
        vesting = {"schedule": table, "years_of_service": years, "next_year_date": next_year}
    data["balances"] = {
        "pretax": str(balance - employer - roth),
        "roth": str(roth),
        "employer": str(employer),
    }
    if roth > 0 and isinstance(roth_year, int) and roth_year <= year:
        data["balances"]["roth_first_year"] = roth_year
    basis = _given(answers, "roth_basis")
    if roth > 0 and basis is not None:
        data["balances"]["roth_basis"] = str(min(Decimal(basis), roth))
    if _given(answers, "year_end_balance") is not None:
        data["prior_year_end_balance"] = answers["year_end_balance"]
    if answers.get("five_percent_owner") == "yes":
        data["five_percent_owner"] = True
    fees = {
        place: answers[key]
        for key, place in (
            ("fees_old", "old_plan_percent"),
            ("fees_new", "new_plan_percent"),
            ("fees_ira", "ira_percent"),
        )
        if _given(answers, key) is not None
    }
    if fees:
        data["fees"] = fees
    if answers.get("backdoor") == "yes":
        data["backdoor_roth"] = True
        if _given(answers, "other_ira") is not None:
            data["other_ira_pretax"] = answers["other_ira"]
    data["vesting"] = vesting
    data["loan"] = {"outstanding": answers.get("loan", "0")}
    if path == "loan":
        data["loan"] |= _loan_request(answers, as_of)
    if path == "withdrawal" and answers.get("withdraw") is not None:
        data["withdrawal"] = _withdrawal(answers)
    jc: dict[str, Any] = {"leaving": leaving}
    if leaving and when.year > as_of.year:
        data["income_this_year"] = str(pay_in_year_of(Decimal(answers["salary"]), when))
    if leaving:
        jc["separation_date"] = when.isoformat()
        new_plan = answers.get("new_plan")
        jc["new_plan_accepts_rollovers"] = {"yes": True, "no": False}.get(new_plan or "")
        jc |= _job_change_extras(answers, year)
    data["job_change"] = jc
    return parse_profile(data)


def pay_in_year_of(salary: Decimal, last_day: date) -> Decimal:
    """Pay earned from January 1 to the last day, at the yearly salary (to the cent, half up)."""
    start = date(last_day.year, 1, 1)
    days = (last_day - start).days + 1
    in_year = (date(last_day.year + 1, 1, 1) - start).days
    return (salary * days / in_year).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def slowest_schedule(year: int) -> list[str]:
    """Year by year, the least the law lets a plan vest: the lower of its two slowest schedules."""
    table = params.get("vesting_schedules", year)
    cliff, graded = table["cliff3"], table["graded6"]
    n = max(len(cliff), len(graded))
    return [
        str(min(cliff[min(i, len(cliff) - 1)], graded[min(i, len(graded) - 1)])) for i in range(n)
    ]


def _retirement(answers: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """retirement.* from the retiring path (what was skipped keeps the engine's default)."""
    age = answers.get("retirement_age")
    out: dict[str, Any] = {
        "age": age if isinstance(age, int) else Assumptions().retirement_age,
        "spending_monthly": answers["spending"],
        "pension_monthly": answers.get("pension", "0"),
        "pension_indexed": answers.get("pension_indexed") == "yes",
    }
    for key, field in (
        ("essential", "essential_monthly"),
        ("social_security", "social_security_monthly"),
        ("ss_age", "social_security_age"),
        ("stock_share", "stock_percent"),
        ("annuity_quote", "annuity_payout_percent"),
    ):
        if _given(answers, key) is not None:
            out[field] = answers[key]
    if Decimal(str(out.get("annuity_payout_percent", 1))) <= 0:
        del out["annuity_payout_percent"]
    return out


def _assumptions(answers: dict[str, Any]) -> dict[str, Any]:
    """The projection assumptions: the engine's defaults unless changed with /edit."""
    out: dict[str, Any] = {}
    if answers.get("annual_return") is not None:
        out["annual_return_percent"] = answers["annual_return"]
    if answers.get("retirement_age") is not None:
        out["retirement_age"] = answers["retirement_age"]
    return out


def _job_change_extras(answers: dict[str, Any], year: int) -> dict[str, Any]:
    """Public-safety service, employer stock and after-tax money, when the person gave them."""
    out: dict[str, Any] = {}
    safety = answers.get("public_safety")
    if safety in ("yes", "yes_25"):
        out["public_safety"] = True
    if safety == "yes_25":
        out["public_safety_years"] = str(params.amount("public_safety_service_years", year))
    if answers.get("employer_stock") == "yes" and _given(answers, "stock_value") is not None:
        stock = {"market_value": answers["stock_value"]}
        if _given(answers, "stock_basis") is not None:
            stock["cost_basis"] = answers["stock_basis"]
        out["employer_stock"] = stock
    if answers.get("after_tax") == "yes" and _given(answers, "after_tax_amount") is not None:
        after = {"amount": answers["after_tax_amount"]}
        if _given(answers, "after_tax_basis") is not None:
            after["basis"] = answers["after_tax_basis"]
        out["after_tax"] = after
    return out


def _given(answers: dict[str, Any], key: str) -> Any:
    """An answer, or None when it was skipped or not asked."""
    value = answers.get(key)
    return None if value in (None, "skip") else value


def _loan_request(answers: dict[str, Any], as_of: date) -> dict[str, Any]:
    """loan.request (and the highest balance of the last 12 months) from the loan path."""
    request: dict[str, Any] = {
        "amount": answers["loan_amount"],
        "purpose": answers.get("loan_purpose", "general"),
        "payments_per_year": int(answers.get("pay_frequency", "26")),
        "start_date": as_of.isoformat(),
    }
    if _given(answers, "loan_rate") is not None:
        request["annual_rate_percent"] = answers["loan_rate"]
    if request["purpose"] == "residence" and _given(answers, "loan_years") is not None:
        request["years"] = answers["loan_years"]
    out: dict[str, Any] = {"request": request}
    if _given(answers, "highest_loan") is not None:
        out["highest_last_12_months"] = answers["highest_loan"]
    return out


def _withdrawal(answers: dict[str, Any]) -> dict[str, Any]:
    """withdrawal.* from the withdrawal path: the amount or the cash needed, reason, exceptions."""
    amount, kind = answers["withdraw"]
    out: dict[str, Any] = {"net_needed" if kind == "net" else "amount": amount}
    out["reason"] = answers.get("reason", "none")
    situation = answers.get("situation", "none")
    if situation != "none":
        out["exceptions"] = [situation]
    if situation == "birth_adoption" and _given(answers, "children") is not None:
        out["children"] = answers["children"]
    if out["reason"] == "medical" and _given(answers, "medical_expenses") is not None:
        out["medical_expenses"] = answers["medical_expenses"]
    return out
