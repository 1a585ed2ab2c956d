"""Turns the chat's answers into an engine Profile (defaults stated, nothing guessed silently)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine import SUPPORTED_YEARS, Profile, parse_profile
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
    data["state_tax_percent"] = answers.get("state_tax", "0")
    path = answers["path"]
    if answers.get("prior_wages") is not None:
        data["prior_year_fica_wages"] = answers["prior_wages"]
    if path == "saving":
        data["contribution_percent"] = answers.get("contribution", "0")
        data["match"] = [
            {"match_percent": m, "on_pay_percent": o} for m, o in answers.get("match", [])
        ]
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
    if employer > 0 and schedule in ("cliff3", "graded6") and answers.get("start_date"):
        start = date.fromisoformat(answers["start_date"])
        years, next_year = service(start, as_of)
        vesting = {"schedule": schedule, "years_of_service": years, "next_year_date": next_year}
    data["balances"] = {
        "pretax": str(balance - employer - roth),
        "roth": str(roth),
        "employer": str(employer),
    }
    if roth > 0 and isinstance(roth_year, int) and roth_year <= year:
        data["balances"]["roth_first_year"] = roth_year
    data["vesting"] = vesting
    data["loan"] = {"outstanding": answers.get("loan", "0")}
    jc: dict[str, Any] = {"leaving": leaving}
    if leaving:
        jc["separation_date"] = when.isoformat()
        new_plan = answers.get("new_plan")
        jc["new_plan_accepts_rollovers"] = {"yes": True, "no": False}.get(new_plan or "")
    data["job_change"] = jc
    return parse_profile(data)
