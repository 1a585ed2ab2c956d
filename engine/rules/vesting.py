"""Vesting of employer money (IRC 411(a)): vested percent, forfeiture, the next step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.money import num, pct
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import VestingOut, VestingStep
from engine.rules.dates import add_years
from engine.trace import Trace


def schedule_table(schedule: str | list[Decimal], law: YearParameters) -> list[Decimal]:
    """Vested percent after 0, 1, 2, ... years for a named or custom schedule."""
    if isinstance(schedule, list):
        return list(schedule)
    table: list[Decimal] = law.get("vesting_schedules")[schedule]
    return table


def vested_percent(table: list[Decimal], years: int) -> Decimal:
    """Vested percent after completed years (the last step holds after the table ends)."""
    return table[min(years, len(table) - 1)]


def service_at(p: Profile, when: date) -> int:
    """Completed years of service on a date: one more for each anniversary of the next date."""
    years = int(p.vesting.years_of_service)
    nxt = p.vesting.next_year_date
    if nxt is None:
        return years
    k = 0
    while add_years(nxt, k) <= when:
        k += 1
    return years + k


def vesting(p: Profile, law: YearParameters, t: Trace) -> VestingOut:
    """The vesting section, measured at the separation date (as_of when staying)."""
    when = p.separation
    table = schedule_table(p.vesting.schedule, law)
    years = service_at(p, when)
    percent = vested_percent(table, years)
    employer = p.balances.employer
    vested = employer * pct(percent)
    portable = p.balances.pretax + p.balances.roth + vested
    name = p.vesting.schedule if isinstance(p.vesting.schedule, str) else "custom"
    src = "vesting_schedules" if isinstance(p.vesting.schedule, str) else "plan vesting schedule"
    t.add(
        "vesting.vested_percent",
        percent,
        f"{name} schedule after {years} completed years of service on {when}",
        src,
        "IRC 411(a)(2)(B)",
    )
    t.add("vesting.vested_employer", vested, f"{t.usd(employer)} x {num(percent)}%", src)
    t.add(
        "vesting.forfeited_if_leaving_now",
        employer - vested,
        f"{t.usd(employer)} - {t.usd(vested)}",
        src,
        "IRC 411(a)",
    )
    t.add(
        "vesting.portable_balance",
        portable,
        f"pretax {t.usd(p.balances.pretax)} + Roth {t.usd(p.balances.roth)} + vested employer "
        f"{t.usd(vested)} (your own contributions are always 100% vested)",
        "IRC 411(a)(1)",
    )
    step = None
    for k in range(1, len(table) + 1):
        later = vested_percent(table, years + k)
        if later > percent:
            gain = employer * pct(later - percent)
            step_date = _completion(p, when, k)
            step = VestingStep(date=step_date, vested_percent=later, gain=gain)
            t.add(
                "vesting.next_step.vested_percent",
                later,
                f"after {years + k} years of service",
                src,
            )
            t.add(
                "vesting.next_step.gain",
                gain,
                f"{t.usd(employer)} x ({num(later)}% - {num(percent)}%)"
                + (f", if you stay until {step_date}" if step_date else ""),
                src,
            )
            break
    return VestingOut(
        vested_percent=percent,
        vested_employer=vested,
        forfeited_if_leaving_now=employer - vested,
        portable_balance=portable,
        next_step=step,
    )


def _completion(p: Profile, when: date, k: int) -> date | None:
    """The date the k-th further year of service completes, when the next date is known."""
    nxt = p.vesting.next_year_date
    if nxt is None:
        return None
    while nxt <= when:
        nxt = add_years(nxt, 1)
    return add_years(nxt, k - 1)
