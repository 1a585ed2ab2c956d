"""Substantially equal periodic payments (IRC 72(t)(2)(A)(iv), Notice 2022-6) on pre-tax money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import ONE, ZERO, cents, num, pct, usd
from engine.profile import Profile
from engine.rules import exceptions_72t as X
from engine.rules.dates import add_months, add_years
from engine.rules.withdrawals import age_59_half_date
from engine.trace import Trace


def amortization_factor(rate: Decimal, life_expectancy: Decimal) -> Decimal:
    """(1 - (1+i)^-LE) / i with a fractional LE, as in the IRS FAQ example (LE at i = 0)."""
    if rate == 0:
        return life_expectancy
    return (ONE - (ONE + rate) ** -life_expectancy) / rate


def latest_59_half_date(p: Profile) -> date:
    """The day of 59 1/2: exact with a birth date, else the latest it can be (born Dec 31)."""
    if p.birth_date is not None:
        return age_59_half_date(p.birth_date, X.law_of(p.year))
    a = P.get("penalty_free_age", p.year)
    return add_months(date(p.birth_year, 12, 31), int(a["years"]) * 12 + int(a["months"]))


def no_modification_before(first_payment: date, p: Profile) -> date:
    """Later of the 5th anniversary of the first payment and 59 1/2 (IRC 72(t)(4))."""
    years = int(P.amount("sepp_no_modification_years", p.year))
    return max(add_years(first_payment, years), latest_59_half_date(p))


def sepp(p: Profile, portable: Decimal, t: Trace) -> dict[str, Any] | None:
    """Yearly SEPP amounts on the vested pre-tax balance, starting on as_of; null at 59 1/2+."""
    if X.reached_59_half_on(p, p.as_of):
        return None
    balance = max(ZERO, portable - p.balances.roth)
    if balance <= 0:
        return None
    y = p.year
    rate_pct = p.assumptions.sepp_rate_percent
    i = pct(rate_pct)
    safe_rate = P.amount("sepp_safe_harbor_rate", y)
    safe = i <= safe_rate
    age = p.age_at_year_end
    table: dict[str, Decimal] = P.get("sepp_single_life", y)
    le = table.get(str(age))
    first = p.as_of
    until = no_modification_before(first, p)
    fifth = add_years(first, int(P.amount("sepp_no_modification_years", y)))
    rmd = amort = None
    f = "early_withdrawal.sepp."
    t.add(
        f + "balance",
        balance,
        f"vested balance {usd(portable)} - Roth {usd(p.balances.roth)}",
        "IRC 72(t)(2)(A)(iv)",
    )
    t.add(f + "age_first_year", age, f"age reached by Dec 31 of {y}", "sepp_single_life")
    if le is not None:
        rmd = cents(balance / le)
        factor = amortization_factor(i, le)
        amort = cents(balance / factor)
        t.add(
            f + "life_expectancy",
            le,
            f"Single Life Table factor for age {age} in the first year",
            "sepp_single_life",
        )
        t.add(
            f + "rmd_method",
            rmd,
            f"vested pre-tax {usd(balance)} / {num(le)} (recomputed each year)",
            "sepp_single_life",
        )
        t.add(
            f + "amortization",
            amort,
            f"{usd(balance)} / ((1 - (1 + {num(rate_pct)}%)^-{num(le)}) / {num(rate_pct)}%) = "
            f"{usd(balance)} / {factor:.4f} (fixed every year)",
            "sepp_single_life",
            "sepp_safe_harbor_rate",
        )
    else:
        t.add(
            f + "life_expectancy",
            "unknown",
            f"the Single Life Table factor for age {age} is not in the data",
            "sepp_single_life",
        )
    t.add(
        f + "rate_percent",
        rate_pct,
        f"{num(rate_pct)}% "
        + (
            f"(at most {num(safe_rate * 100)}%: always allowed)"
            if safe
            else f"(above {num(safe_rate * 100)}%: allowed only up to 120% of the federal "
            "mid-term rate, not checked)"
        ),
        "sepp_safe_harbor_rate",
    )
    t.add(
        f + "no_modification_before",
        until,
        f"later of {first} + {num(P.amount('sepp_no_modification_years', y))} years and the day "
        f"of 59 1/2 ({latest_59_half_date(p)}"
        + (")" if p.birth_date is not None else ", the latest it can be without a birth date)"),
        "sepp_no_modification_years",
        "penalty_free_age",
    )
    return {
        "balance": balance,
        "rate_percent": rate_pct,
        "rate_within_safe_harbor": safe,
        "age_first_year": age,
        "life_expectancy": le,
        "rmd_method": rmd,
        "amortization": amort,
        "annuitization": None,
        "first_payment_date": first,
        "fifth_anniversary": fifth,
        "no_modification_before": until,
        "must_start_after_separation": not p.job_change.leaving,
    }
