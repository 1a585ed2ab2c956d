"""Every historical retirement in the shipped data (engine/data): cohorts, safe rate, sequence.

Conventions (stated in the Report): one withdrawal at the start of each year, raised by the
previous year's CPI; the portfolio is rebalanced to its stock share every year; stocks are the
S&P 500 total return, bonds the 10-year Treasury total return; no fees, no taxes. The simulation
runs in real (start-year) dollars: a nominal balance divided by the CPI since the start, so a
withdrawal fixed in real terms is a constant, and a pension fixed in dollars shrinks by the CPI.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from engine.money import ONE, ZERO

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "historical_returns.csv"
SOURCE = (
    "Damodaran (NYU Stern), Historical Returns on Stocks, Bonds and Bills, histretSP.xls, "
    "January 2026 update, 1928-2024: S&P 500 total return, 10-year Treasury total return, "
    "CPI-U December to December (engine/data/README.md)"
)
CONVENTIONS = (
    "withdrawals at the start of each year raised by the previous year's CPI; rebalanced every "
    "year; no fees or taxes inside the simulation"
)


@dataclass(frozen=True)
class MarketYear:
    """One calendar year of the data: returns and inflation as fractions (0.1 = 10%)."""

    year: int
    stocks: Decimal
    bonds: Decimal
    inflation: Decimal


def load_years(path: Path = DATA_FILE) -> tuple[MarketYear, ...]:
    """The data file's rows in year order; comment lines (#) are skipped."""
    with path.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        years = tuple(
            MarketYear(
                int(r["year"]),
                Decimal(r["sp500_total_return"]),
                Decimal(r["tbond10_total_return"]),
                Decimal(r["cpi_inflation"]),
            )
            for r in rows
        )
    if [y.year for y in years] != list(range(years[0].year, years[0].year + len(years))):
        raise ValueError(f"{path}: years must be consecutive")
    return years


YEARS: tuple[MarketYear, ...] = load_years()
FIRST_YEAR, LAST_YEAR = YEARS[0].year, YEARS[-1].year


@lru_cache(maxsize=64)
def real_growth(stock_share: Decimal) -> tuple[Decimal, ...]:
    """Each year's real growth, rebalanced: (1 + s x stocks + (1 - s) x bonds) / (1 + CPI)."""
    bond_share = ONE - stock_share
    return tuple(
        (ONE + stock_share * y.stocks + bond_share * y.bonds) / (ONE + y.inflation) for y in YEARS
    )


CPI_GROWTH: tuple[Decimal, ...] = tuple(ONE + y.inflation for y in YEARS)


def cpi_levels(growth: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """The CPI level at the start of each year (1 at the first), and one past the last year."""
    levels = [ONE]
    for g in growth:
        levels.append(levels[-1] * g)
    return tuple(levels)


CPI_LEVEL = cpi_levels(CPI_GROWTH)
CPI_DEFLATOR = tuple(ONE / x for x in CPI_LEVEL)


@lru_cache(maxsize=1)
def mean_inflation() -> Decimal:
    """The data's geometric mean yearly CPI inflation, rounded to 0.01% (an assumption's basis)."""
    level = ONE
    for g in CPI_GROWTH:
        level *= g
    mean: Decimal = level ** (ONE / len(CPI_GROWTH)) - ONE
    return mean.quantize(Decimal("0.0001"))


class Cohort(NamedTuple):
    """One start year: how many withdrawals were paid in full and the real balance left."""

    start_year: int
    years_paid: int
    lasted: bool
    end_real: Decimal


def run_cohort(
    balance: Decimal, need: Sequence[Decimal], growth: Sequence[Decimal]
) -> tuple[int, Decimal]:
    """Years paid in full and the real balance left: take `need[k]`, then grow by `growth[k]`."""
    b = balance
    for k, (w, g) in enumerate(zip(need, growth, strict=False)):
        if b < w:
            return k, ZERO
        b = (b - w) * g
    return len(need), b


@lru_cache(maxsize=16)
def fixed_dollar_values(years: int) -> tuple[tuple[Decimal, ...], ...]:
    """For each start year, the real value in each year k of one dollar fixed at the start."""
    return tuple(
        tuple(CPI_LEVEL[s] * CPI_DEFLATOR[s + k] for k in range(years))
        for s in range(len(YEARS) - years + 1)
    )


@dataclass(frozen=True)
class Sums:
    """Per start year, what the end balance is linear in (see `cohorts`)."""

    product: tuple[Decimal, ...]  # P: the product of the horizon's real growth
    prefix: tuple[tuple[Decimal, ...], ...]  # sum over k < m of Q_k, for m = 0..n
    fixed: tuple[Decimal, ...]  # sum over k of v_k x Q_k (v_k: a fixed dollar's real value)
    most: Decimal  # the largest v_k of any start year


@lru_cache(maxsize=64)
def sums(years: int, stock_share: Decimal) -> Sums:
    """The per-start-year sums for a horizon and stock share (the data never changes)."""
    growth = real_growth(stock_share)
    values = fixed_dollar_values(years)
    products, prefixes, fixed = [], [], []
    for s, v in enumerate(values):
        q, acc = [ONE] * years, ONE
        for k in range(years - 1, -1, -1):
            acc *= growth[s + k]
            q[k] = acc
        prefix = [ZERO]
        for x in q:
            prefix.append(prefix[-1] + x)
        products.append(acc)
        prefixes.append(tuple(prefix))
        fixed.append(sum((a * b for a, b in zip(v, q, strict=True)), ZERO))
    most = max(max(v) for v in values)
    return Sums(tuple(products), tuple(prefixes), tuple(fixed), most)


def segments(need: Sequence[Decimal]) -> list[tuple[int, int, Decimal]]:
    """Runs of equal yearly needs as (first k, k after the last, need)."""
    out: list[tuple[int, int, Decimal]] = []
    for k, w in enumerate(need):
        if out and out[-1][2] == w:
            out[-1] = (out[-1][0], k + 1, w)
        else:
            out.append((k, k + 1, w))
    return out


def simulate(
    i: int, balance: Decimal, need: Sequence[Decimal], nominal_pension: Decimal, share: Decimal
) -> tuple[int, Decimal]:
    """One start year (data index i) year by year: years paid and the real balance left."""
    own = need
    if nominal_pension:
        v = fixed_dollar_values(len(need))[i]
        own = [max(ZERO, w - nominal_pension * x) for w, x in zip(need, v, strict=True)]
    return run_cohort(balance, own, real_growth(share)[i : i + len(need)])


def balance_path(
    i: int, balance: Decimal, need: Sequence[Decimal], nominal_pension: Decimal, share: Decimal
) -> list[Decimal]:
    """One start year (data index i), year by year: the real balance at the start of each year."""
    own = need
    if nominal_pension:
        v = fixed_dollar_values(len(need))[i]
        own = [max(ZERO, w - nominal_pension * x) for w, x in zip(need, v, strict=True)]
    path, b = [balance], balance
    for w, g in zip(own, real_growth(share)[i : i + len(need)], strict=False):
        b = (b - w) * g if b >= w else ZERO
        path.append(b)
    return path


def cohorts(
    balance: Decimal, need: Sequence[Decimal], nominal_pension: Decimal, stock_share: Decimal
) -> list[Cohort]:
    """Every start year whose whole horizon (n = len(need) years) lies in the data.

    `need[k]` is year k's real spending less real guaranteed income; a pension fixed in dollars
    (`nominal_pension`) is worth v_k of a start-year dollar in year k, so the portfolio pays
    w_k = need[k] - pension x v_k (never below 0: income above spending is not reinvested).
    With b' = (b - w) x g each year, the balance after n years is B x P - sum of w_k x Q_k, Q_k the
    product of the growth from year k to the end; a start year lasted exactly when that is not
    negative (once short, a balance stays short). The sums are kept per horizon and stock share,
    so a person costs a few products per start year; a start year that ran out is then run year
    by year for the years it paid, and so is every start year when the pension could exceed a
    year's need.
    """
    n = len(need)
    sm = sums(n, stock_share)
    if nominal_pension and nominal_pension * sm.most > min(need):
        return [
            Cohort(YEARS[i].year, paid, paid == n, end)
            for i in range(len(sm.product))
            for paid, end in [simulate(i, balance, need, nominal_pension, stock_share)]
        ]
    runs = segments(need)
    out = []
    for i, (product, prefix, fixed) in enumerate(zip(sm.product, sm.prefix, sm.fixed, strict=True)):
        end = balance * product + nominal_pension * fixed
        for first, after, w in runs:
            end -= w * (prefix[after] - prefix[first])
        if end >= 0:
            out.append(Cohort(YEARS[i].year, n, True, end))
        else:
            paid, _ = simulate(i, balance, need, nominal_pension, stock_share)
            out.append(Cohort(YEARS[i].year, paid, False, ZERO))
    return out


def worst(found: Sequence[Cohort]) -> Cohort:
    """The cohort whose money ran out soonest (ties: earlier start), else the lowest end."""
    failed = [c for c in found if not c.lasted]
    if failed:
        return min(failed, key=lambda c: (c.years_paid, c.start_year))
    return min(found, key=lambda c: (c.end_real, c.start_year))


def median(values: Sequence[Decimal]) -> Decimal:
    """The middle value (the mean of the two middle ones for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


@lru_cache(maxsize=256)
def safe_rate(years: int, stock_share: Decimal) -> tuple[Decimal, int] | None:
    """The highest fixed real withdrawal rate every cohort of `years` years survived, and its start.

    A cohort lasts exactly when its balance after the last year is not negative, and that balance
    is linear in the rate: P - w x S with P the product of the real growth factors and S the sum,
    over each year k, of the product from k to the end (built forward: S = (S + 1) x g). So each
    cohort's highest rate is P / S.
    """
    if not 1 <= years <= len(YEARS):
        return None
    growth = real_growth(stock_share)
    best: tuple[Decimal, int] | None = None
    for i in range(len(YEARS) - years + 1):
        product, summed = ONE, ZERO
        for g in growth[i : i + years]:
            summed = (summed + ONE) * g
            product *= g
        rate = product / summed
        if best is None or rate < best[0]:
            best = (rate, YEARS[i].year)
    return best


def window(start_year: int, years: int, stock_share: Decimal) -> list[tuple[Decimal, Decimal]]:
    """(real growth, CPI growth) for each year of one cohort's horizon."""
    i = start_year - FIRST_YEAR
    growth = real_growth(stock_share)
    return list(zip(growth[i : i + years], CPI_GROWTH[i : i + years], strict=True))


def reordered_end(
    pairs: Sequence[tuple[Decimal, Decimal]],
    balance: Decimal,
    need: Sequence[Decimal],
    nominal_pension: Decimal,
) -> tuple[int, Decimal]:
    """Years paid and real balance left when a horizon's years come in the order given."""
    own = need
    if nominal_pension:
        level = cpi_levels([c for _, c in pairs])
        own = [max(ZERO, w - nominal_pension / x) for w, x in zip(need, level, strict=False)]
    return run_cohort(balance, own, [g for g, _ in pairs])
