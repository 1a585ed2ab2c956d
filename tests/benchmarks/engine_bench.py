"""`make bench`: median and p99 time of evaluate() for contrasting profiles, in process."""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from engine import Profile, evaluate

FULL_JOB_CHANGE: dict[str, Any] = {
    "as_of": "2026-11-23",
    "age": 45,
    "salary": 85000,
    "state_tax_percent": 5,
    "contribution_percent": 4,
    "match": [
        {"match_percent": 100, "on_pay_percent": 3},
        {"match_percent": 50, "on_pay_percent": 2},
    ],
    "balances": {"pretax": 60000, "roth": 10000, "roth_first_year": 2020, "employer": 20000},
    "vesting": {"schedule": "graded6", "years_of_service": 3, "next_year_date": "2027-03-01"},
    "loan": {"outstanding": 8000},
    "job_change": {"leaving": True, "separation_date": "2026-12-15"},
}

PROFILES: dict[str, dict[str, Any]] = {
    "full job change, 45, loan + unvested + Roth": FULL_JOB_CHANGE,
    "small balance, 28": {
        "as_of": "2026-11-23",
        "age": 28,
        "salary": 48000,
        "balances": {"pretax": 2400},
        "job_change": {"leaving": True},
    },
    "separating at 56, MFJ": {
        "as_of": "2026-11-23",
        "age": 56,
        "filing_status": "married_joint",
        "salary": 160000,
        "balances": {"pretax": 400000, "employer": 50000},
        "job_change": {"leaving": True, "new_plan_accepts_rollovers": True},
    },
    "still working at 74 (RMD delay)": {
        "as_of": "2026-11-23",
        "birth_date": "1952-03-02",
        "salary": 90000,
        "balances": {"pretax": 600000, "roth": 50000, "roth_first_year": 2015},
    },
    "saving check, 61, 60-63 catch-up": {
        "as_of": "2026-11-23",
        "age": 61,
        "salary": 210000,
        "contribution_percent": 15,
        "match": [{"match_percent": 50, "on_pay_percent": 6}],
        "balances": {"pretax": 300000},
    },
}


def measure(data: dict[str, Any], runs: int) -> tuple[float, float]:
    """Median and p99 of evaluate() in microseconds (profile validated once, as in the bot)."""
    profile = Profile.model_validate(data)
    for _ in range(200):
        evaluate(profile)
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        evaluate(profile)
        times.append((time.perf_counter_ns() - start) / 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> int:
    """Print a Markdown table of the measurements."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    print(f"evaluate() timings, {runs} runs each, Python {sys.version.split()[0]}")
    print("| profile | median µs | p99 µs |")
    print("|---|---:|---:|")
    for name, data in PROFILES.items():
        med, p99 = measure(data, runs)
        print(f"| {name} | {med:.0f} | {p99:.0f} |")
    from tests.benchmarks.engine_retirement_bench import RETIREMENT_PROFILES, historical_only

    for name, data in RETIREMENT_PROFILES.items():
        med, p99 = measure(data, runs)
        print(f"| {name} | {med:.0f} | {p99:.0f} |")
        med, p99 = historical_only(data, runs)
        print(f"| {name}: historical run alone | {med:.0f} | {p99:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
