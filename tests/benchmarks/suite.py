"""`make bench`: every benchmark, one after the other, then docs/performance.md (and stdout)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.benchmarks.load_bench import ROOT, Config, run
from tests.benchmarks.profile_summary import summary

ENGINE_RUNS = 1000
ENGINE_CMD = f"python -m tests.benchmarks.engine_bench {ENGINE_RUNS}"
SHIPPED = Config()  # send rate 30 (Telegram's ceiling), FULL sync, chart workers, pool 256
RAISED = replace(SHIPPED, send_rate=1000)  # the ceiling of a bot with paid broadcasts
REFERENCE = Config(bot="reference")
THINK_S = 5.0
PAIRS = 3  # runs of the shipped bot and of the reference bot, alternating


def engine_rows() -> list[tuple[str, str, str]]:
    """(profile, median µs, p99 µs) from tests/benchmarks/engine_bench.py."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.engine_bench", str(ENGINE_RUNS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    rows = []
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].isdigit():
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def plan(quick: bool) -> dict[str, list[Config]]:
    """The runs of each section (quick: tiny sizes for a smoke test), about 13 minutes in all."""
    if quick:
        return {
            "turn": [
                replace(RAISED, users=20, deadline_s=40),
                replace(RAISED, users=20, chart="off", deadline_s=40),
                replace(REFERENCE, users=20, deadline_s=20),
            ],
            "load": [
                replace(RAISED, users=40, latency_ms=200, think_s=1, deadline_s=40),
                replace(SHIPPED, users=20, latency_ms=50, deadline_s=20),
            ],
            "reference": [replace(REFERENCE, users=20, latency_ms=50, deadline_s=15)],
        }
    ours = replace(RAISED, users=200, deadline_s=45)
    # users who then open the options part, pausing 2 s so that their charts do not all come
    # in the same second (past bot.chart.CHART_BACKLOG a part goes without its chart)
    options = replace(ours, open_options=True, think_s=2.0, deadline_s=60)
    # the bot as shipped and the reference bot alternate, three times each: the machine's load
    # drifts over minutes, and the comparison is by their medians (and by pair); the last run
    # is profiled (py-spy) and counted in no median
    turn = [ours, replace(REFERENCE, users=200, deadline_s=45)] * PAIRS
    turn += [options, replace(options, chart="off"), ours]
    load = [
        replace(RAISED, users=1000, latency_ms=200, think_s=THINK_S, deadline_s=90),
        replace(RAISED, users=300, latency_ms=200, think_s=THINK_S, deadline_s=75),
        replace(RAISED, users=1000, latency_ms=200, deadline_s=45),
        replace(SHIPPED, users=1000, latency_ms=200, think_s=THINK_S, deadline_s=60),
    ]
    reference = [
        replace(REFERENCE, users=1000, latency_ms=200, think_s=THINK_S, deadline_s=45),
        replace(REFERENCE, users=1000, latency_ms=200, deadline_s=30),
    ]
    return {"turn": turn, "load": load, "reference": reference}


def run_suite(*, quick: bool, out: Path) -> int:
    """Run everything, write the doc, print the tables."""
    began = time.monotonic()
    results: dict[str, Any] = {"engine": engine_rows(), "engine_command": ENGINE_CMD}
    spy = ROOT / "docs" / "performance-profile.txt"
    for section, configs in plan(quick).items():
        results[section] = []
        for i, cfg in enumerate(configs):
            start = time.monotonic()
            print(f"[bench] {cfg.command()}", file=sys.stderr, flush=True)
            profiled = section == "turn" and i == len(configs) - 1 and not quick
            result = run(cfg, profile=spy if profiled else None)
            if profiled:
                result["profiled"] = True
            if profiled and spy.exists():
                samples, by_file = summary(spy)
                result["profile_samples"] = samples
                result["profile_by_file"] = by_file.most_common(16)
                spy.unlink()
            result["elapsed_s"] = round(time.monotonic() - start, 1)
            results[section].append(result)
            print(f"[bench]   -> {_brief(result)}", file=sys.stderr, flush=True)
    results["total_s"] = round(time.monotonic() - began)
    raw = out.with_suffix(".json") if quick else ROOT / "docs" / "performance-raw.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(results, indent=1) + "\n")
    from tests.benchmarks.report import render

    doc, tables = render(results, quick=quick, machine=machine())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(doc)
    print(tables)
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


def _brief(r: dict[str, Any]) -> str:
    """A one-line progress note."""
    return (
        f"{r.get('updates_per_s')} updates/s, p50 {r.get('p50_ms')} ms, p99 {r.get('p99_ms')} ms, "
        f"completed {r.get('completed')}/{r.get('users')}, bot CPU "
        f"{r.get('bot_cpu_ms_per_update')} ms/update, chart CPU "
        f"{r.get('chart_cpu_ms_per_update')} ms/update, RSS {r.get('bot_peak_rss_mb')} MB, "
        f"{r.get('elapsed_s')} s"
    )


def machine() -> str:
    """What the numbers were measured on."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )
