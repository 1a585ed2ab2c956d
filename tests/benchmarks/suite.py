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

ENGINE_CMD = "python -m tests.benchmarks.engine_bench"
SHIPPED = Config()
NO_LIMIT = replace(SHIPPED, rate_limit=0)
LOAD = Config(rate_limit=0, sync="NORMAL", charts=False, http="aiohttp", pool=256, concurrency=1024)
REFERENCE = Config(bot="reference")
LATENCIES = (0, 50, 200)


def engine_rows() -> list[tuple[str, str, str]]:
    """(profile, median µs, p99 µs) from tests/benchmarks/engine_bench.py."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.engine_bench"],
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
    """The runs of each section (quick: tiny sizes for a smoke test)."""
    if quick:
        small = replace(LOAD, users=20, deadline_s=60)
        return {
            "turn": [replace(NO_LIMIT, users=20, deadline_s=60), replace(small, charts=True)],
            "load": [replace(small, latency_ms=ms) for ms in (0, 50)],
            "ladder": [replace(SHIPPED, users=20, latency_ms=50, deadline_s=10)],
            "reference": [replace(REFERENCE, users=20, latency_ms=50, deadline_s=10)],
        }
    turn = [
        replace(NO_LIMIT, users=300, deadline_s=120),
        replace(NO_LIMIT, users=300, charts=False, deadline_s=120),
        replace(LOAD, users=300, charts=True, deadline_s=120),
        replace(LOAD, users=300, deadline_s=120),
    ]
    load = [
        replace(LOAD, users=n, latency_ms=ms, deadline_s=240)
        for n in (100, 1000)
        for ms in LATENCIES
    ]
    load += [replace(LOAD, users=10_000, latency_ms=ms, deadline_s=300) for ms in (0, 200)]
    box = 30.0
    ladder_steps = [
        SHIPPED,
        NO_LIMIT,
        replace(NO_LIMIT, sync="NORMAL"),
        replace(NO_LIMIT, sync="NORMAL", charts=False),
        replace(NO_LIMIT, sync="NORMAL", charts=False, http="aiohttp", pool=256),
        LOAD,
        replace(LOAD, sync="FULL"),
        replace(LOAD, charts=True),
    ]
    ladder = [replace(c, users=1000, latency_ms=200, deadline_s=box) for c in ladder_steps]
    reference = [replace(REFERENCE, users=1000, latency_ms=ms, deadline_s=box) for ms in LATENCIES]
    return {"turn": turn, "load": load, "ladder": ladder, "reference": reference}


def run_suite(*, quick: bool, out: Path) -> int:
    """Run everything, write the doc, print the tables."""
    began = time.monotonic()
    results: dict[str, Any] = {"engine": engine_rows()}
    for section, configs in plan(quick).items():
        results[section] = []
        for cfg in configs:
            start = time.monotonic()
            print(f"[bench] {cfg.command()}", file=sys.stderr, flush=True)
            result = run(cfg)
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
        f"{r.get('bot_cpu_ms_per_update')} ms/update, RSS {r.get('bot_peak_rss_mb')} MB, "
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
