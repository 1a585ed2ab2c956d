"""The engine benchmark's retiring rows: evaluate() and the historical run alone, one person.

`python -m tests.benchmarks.engine_retirement_bench [runs]` prints rows in the format of
tests/benchmarks/engine_bench.py; `RETIREMENT_PROFILES` is there to be merged into its table.
"""

from __future__ import annotations

import statistics
import sys
import time
from decimal import Decimal
from typing import Any

from engine import Profile
from engine.rules import history
from engine.rules.retirement import plan
from tests.benchmarks.engine_bench import measure

RETIREE: dict[str, Any] = {
    "as_of": "2026-11-23",
    "age": 64,
    "salary": 90000,
    "balances": {"pretax": 900000, "roth": 100000},
    "retirement": {
        "age": 65,
        "spending_monthly": 5500,
        "essential_monthly": 4000,
        "social_security_monthly": 2400,
        "social_security_age": 67,
        "pension_monthly": 600,
        "stock_percent": 60,
        "annuity_payout_percent": 6.5,
    },
}

RETIREMENT_PROFILES: dict[str, dict[str, Any]] = {
    "retiring at 65, every historical start year": RETIREE,
}


def historical_only(data: dict[str, Any], runs: int) -> tuple[float, float]:
    """Median and p99 in µs of the historical run itself (every start year, one person)."""
    p = Profile.model_validate(data)
    r = p.retirement
    assert r.age is not None
    years = r.plan_to_age - r.age
    need = plan(p, years)
    share = Decimal(r.stock_percent or 0) / 100
    balance = Decimal(1_000_000)
    history.cohorts(balance, need.need, need.nominal_pension, share)
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        found = history.cohorts(balance, need.need, need.nominal_pension, share)
        history.worst(found)
        history.median([c.end_real for c in found])
        times.append((time.perf_counter_ns() - start) / 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> int:
    """Print the rows."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"evaluate() timings, {runs} runs each, Python {sys.version.split()[0]}")
    print("| profile | median µs | p99 µs |")
    print("|---|---:|---:|")
    for name, data in RETIREMENT_PROFILES.items():
        med, p99 = measure(data, runs)
        print(f"| {name} | {med:.0f} | {p99:.0f} |")
        med, p99 = historical_only(data, runs)
        print(f"| {name}: historical run alone | {med:.0f} | {p99:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
