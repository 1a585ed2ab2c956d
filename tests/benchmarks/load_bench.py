"""Load benchmark: the real bot process against the fake Bot API process, simulated users.

    python -m tests.benchmarks.load_bench run --users 1000 --latency-ms 200 [--send-rate 1000 ...]
    python -m tests.benchmarks.load_bench run --bot reference --users 1000 --latency-ms 200
    python -m tests.benchmarks.load_bench all [--quick]    # everything; writes docs/performance.md

Three processes share the machine: the bot (`python -m tests.benchmarks.tuned_bot`, which is
`python -m bot telegram` with the chart step chosen, or the reference bot; the bot's chart
workers are its children), the fake Bot API with the simulated users
(`tests.benchmarks.load_fake`), and this orchestrator, which only samples /proc now and then.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from tests.benchmarks.procs import (
    Lines,
    cpu_seconds,
    descendants_cpu_seconds,
    free_port,
    peak_rss_mb,
    stop,
)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
PY = "python"  # as written in the commands of the doc; runs use sys.executable
PROFILE_S = 20  # seconds of py-spy sampling when a run is profiled
DRAIN_S = 10  # after the users, wait at most this long for the bot's last messages


@dataclass(frozen=True)
class Config:
    """One load run."""

    bot: str = "ours"  # ours | reference
    users: int = 100
    latency_ms: int = 0
    think_s: float = 0.0
    steps: int = 11
    same_answers: bool = False
    open_options: bool = False  # then tap the answer's options part, which has the chart
    sync: str = "FULL"  # ADVISOR_DB_SYNC
    send_rate: float = 30.0  # ADVISOR_SEND_RATE, messages a second (Telegram's ceiling: 30)
    pool: int = 256  # ADVISOR_HTTP_POOL
    chart: str = "workers"  # workers (what ships) | off: see tuned_bot.py
    deadline_s: float = 600.0

    def args(self) -> list[str]:
        """The `run` arguments that differ from the defaults."""
        out: list[str] = []
        base = Config()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(base, f.name) and f.name not in ("users", "latency_ms"):
                continue
            flag = "--" + f.name.replace("_", "-")
            if isinstance(value, bool):
                out.append(flag if value else "--no-" + f.name.replace("_", "-"))
            else:
                out += [flag, _fmt(value)]
        return out

    def command(self) -> str:
        """The exact command that reproduces this run."""
        return shlex.join([PY, "-m", "tests.benchmarks.load_bench", "run", *self.args()])

    def bot_argv(self) -> list[str]:
        """How the bot process is started."""
        if self.bot == "reference":
            return [sys.executable, "-m", "tests.benchmarks.reference_bot"]
        return [sys.executable, "-m", "tests.benchmarks.tuned_bot"]


def _fmt(value: Any) -> str:
    """A number without a useless .0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def run(cfg: Config, keep: Path | None = None, profile: Path | None = None) -> dict[str, Any]:
    """Start the fake (with the users) and the bot, drive one run, stop both, measure.

    profile: record the bot with py-spy (--gil, raw stacks) into this file while users run.
    """
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        return _run(cfg, work, profile)


def py_spy() -> str | None:
    """The py-spy command next to this interpreter or on PATH (a profiler, optional)."""
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


def _run(cfg: Config, work: Path, profile: Path | None = None) -> dict[str, Any]:
    """run() inside a work directory."""
    fake_argv = [sys.executable, "-m", "tests.benchmarks.load_fake", "--token", TOKEN]
    fake_argv += ["--users", str(cfg.users), "--latency", str(cfg.latency_ms / 1000)]
    fake_argv += ["--think", str(cfg.think_s), "--steps", str(cfg.steps)]
    fake_argv += ["--deadline", str(cfg.deadline_s)]
    fake_argv += ["--drain", str(DRAIN_S)]
    if cfg.same_answers:
        fake_argv.append("--same-answers")
    if cfg.open_options:
        fake_argv.append("--open-options")
    fake_err = (work / "fake.log").open("wb")
    fake = subprocess.Popen(
        fake_argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=fake_err, stdin=subprocess.DEVNULL
    )
    lines = Lines(fake)
    bot: subprocess.Popen[bytes] | None = None
    bot_log = (work / "bot.log").open("wb")
    result: dict[str, Any] = {"config": cfg.__dict__, "command": cfg.command()}
    try:
        first = lines.next(30) or ""
        if not first.startswith("PORT "):
            raise RuntimeError(f"the fake did not start: {first!r}")
        port = int(first.split()[1])
        db = work / "advisor.db"
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
            "ADVISOR_DB": str(db),
            "ADVISOR_DB_SYNC": cfg.sync,
            "ADVISOR_CHARTS": str(work / "charts"),
            "WEBHOOK_PORT": str(free_port()),
            "LOG_LEVEL": "INFO",
            "ADVISOR_SEND_RATE": _fmt(cfg.send_rate),
            "ADVISOR_HTTP_POOL": str(cfg.pool),
            "BENCH_CHART": cfg.chart,
        }
        bot = subprocess.Popen(cfg.bot_argv(), cwd=ROOT, env=env, stdout=bot_log, stderr=bot_log)
        cpu_start = cpu_done = workers_start = workers_done = 0.0
        profiler: subprocess.Popen[bytes] | None = None
        limit = time.monotonic() + cfg.deadline_s + 120
        while time.monotonic() < limit:
            line = lines.next(5)
            if bot.poll() is not None:
                raise RuntimeError(f"the bot exited ({bot.returncode}); see {work / 'bot.log'}")
            if line is None:
                if fake.poll() is not None:
                    raise RuntimeError("the fake exited without a result")
                continue
            if line.startswith("START "):
                result["loadavg_1min"] = float(Path("/proc/loadavg").read_text().split()[0])
                cpu_start = cpu_seconds(bot.pid)
                workers_start = descendants_cpu_seconds(bot.pid)
                spy = py_spy() if profile is not None else None
                if spy is not None and profile is not None:
                    seconds = str(int(min(PROFILE_S, cfg.deadline_s)))
                    spy_argv = [spy, "record", "--gil", "--nonblocking", "-r", "200", "-d"]
                    spy_argv += [seconds, "-f", "raw", "-o", str(profile), "-p", str(bot.pid)]
                    profiler = subprocess.Popen(
                        spy_argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                    )
            elif line.startswith("DONE "):
                cpu_done = cpu_seconds(bot.pid)
                workers_done = descendants_cpu_seconds(bot.pid)
            elif line.startswith("RESULT "):
                result.update(json.loads(line.removeprefix("RESULT ")))
                break
        else:
            raise RuntimeError("no result before the deadline")
        result["bot_cpu_s"] = round(cpu_done - cpu_start, 2)
        # the chart workers (started during the run: their start-up is counted)
        result["chart_cpu_s"] = round(workers_done - workers_start, 2)
        if profiler is not None:
            profiler.wait(PROFILE_S + 30)
            result["profile"] = str(profile)
        result["bot_peak_rss_mb"] = round(peak_rss_mb(bot.pid), 1)
        result["bot_exit"] = stop(bot)
        result["db_bytes"] = _db_size(work, cfg)
        if cfg.bot == "ours":
            result["db_rows"] = _db_rows(db)
    finally:
        if bot is not None:
            stop(bot)
        stop(fake)
        fake_err.close()
        bot_log.close()
    answered = max(int(result.get("updates_answered", 0)), 1)
    run_s = max(float(result.get("run_s", 0)), 1e-9)
    result["bot_cpu_ms_per_update"] = round(result["bot_cpu_s"] * 1000 / answered, 2)
    result["chart_cpu_ms_per_update"] = round(result["chart_cpu_s"] * 1000 / answered, 2)
    charts = max(int(result.get("photos", 0)), 1)
    result["chart_cpu_ms_per_chart"] = round(result["chart_cpu_s"] * 1000 / charts, 1)
    result["bot_cpu_share"] = round(result["bot_cpu_s"] / run_s, 2)
    result["fake_cpu_share"] = round(float(result.get("fake_cpu_s", 0)) / run_s, 2)
    return result


def _db_size(work: Path, cfg: Config) -> int:
    """Bytes on disk of the bot's state after it stopped (SQLite file + WAL, or the pickle)."""
    if cfg.bot == "reference":
        return sum(p.stat().st_size for p in work.glob("*.pickle"))
    return sum(p.stat().st_size for p in work.glob("advisor.db*"))


def _db_rows(db: Path) -> dict[str, int]:
    """Row counts of the bot's tables (a check that every answer was stored once)."""
    con = sqlite3.connect(db)
    try:
        chats = con.execute("SELECT count(*) FROM chats").fetchone()[0]
        processed = con.execute("SELECT count(*) FROM processed_updates").fetchone()[0]
    finally:
        con.close()
    return {"chats": int(chats), "processed_updates": int(processed)}


def summary(result: dict[str, Any]) -> str:
    """One human line about a run."""
    keys = (
        "users",
        "latency_s",
        "completed",
        "updates_answered",
        "unanswered_at_deadline",
        "wall_s",
        "updates_per_s",
        "p50_ms",
        "p99_ms",
        "bot_cpu_ms_per_update",
        "chart_cpu_ms_per_update",
        "bot_cpu_share",
        "fake_cpu_share",
        "bot_peak_rss_mb",
        "db_bytes",
        "error_answers",
    )
    return " ".join(f"{k}={result.get(k)}" for k in keys)


def config_from(ns: argparse.Namespace) -> Config:
    """A Config from parsed `run` arguments."""
    values = {f.name: getattr(ns, f.name) for f in fields(Config)}
    return replace(Config(), **values)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `run`, one per Config field."""
    base = Config()
    for f in fields(Config):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(base, f.name)
        if isinstance(default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=default)
        else:
            parser.add_argument(flag, type=type(default), default=default)


def main(argv: list[str] | None = None) -> int:
    """CLI: run one configuration, or the whole suite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    one = sub.add_parser("run", help="one configuration; prints a JSON line")
    add_run_arguments(one)
    one.add_argument("--keep", type=Path, help="keep the work directory (logs, database) here")
    one.add_argument("--profile", type=Path, help="py-spy the bot into this file (raw stacks)")
    again = sub.add_parser("report", help="docs/performance.md again from the raw JSON")
    again.add_argument("--raw", type=Path, default=ROOT / "docs" / "performance-raw.json")
    again.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    suite = sub.add_parser("all", help="the whole suite; writes docs/performance.md")
    suite.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    suite.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    ns = parser.parse_args(argv)
    if ns.cmd == "run":
        result = run(config_from(ns), ns.keep, ns.profile)
        print(summary(result), file=sys.stderr)
        print(json.dumps(result))
        return 0
    if ns.cmd == "report":
        from tests.benchmarks.report import render
        from tests.benchmarks.suite import machine

        doc, _ = render(json.loads(ns.raw.read_text()), quick=False, machine=machine())
        ns.out.write_text(doc)
        return 0
    from tests.benchmarks.suite import run_suite

    return run_suite(quick=ns.quick, out=ns.out)


if __name__ == "__main__":
    sys.exit(main())
