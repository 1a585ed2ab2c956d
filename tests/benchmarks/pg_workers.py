"""Several workers on PostgreSQL against one on SQLite: webhook mode, the same fake Bot API.

    python -m tests.benchmarks.pg_workers [--users 300] [--deadline 60] [--workers 1,2,3]
                                          [--rate 1000] [--charts]

Each run starts the fake Bot API with simulated users (tests/benchmarks/load_fake.py: each
user sends an answer, waits for the reply, sends the next), then the bot processes, all in
webhook mode. The fake pushes updates to the workers' webhooks itself, round robin, with up
to 40 requests in flight (Telegram's default max_connections) - the load balancer's job, minus
its own cost. First one worker on a SQLite file, then 1, 2, 3 workers on one PostgreSQL
database (a throwaway cluster from tests/postgres.py, fsync on, like SQLite's FULL).

Printed per run: updates/s, reply latency p50/p99, and CPU per update of the bot processes and
of the PostgreSQL server, measured from /proc between the users' start and their last reply.

Benchmark-only changes to the bot (the `bot` subcommand wraps `python -m bot telegram`):
each process's send pace is raised to --rate messages/s (the shipped 30/s per process would
measure the pace, not the store), and the chart is not drawn unless --charts.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.procs import Lines, cpu_seconds, free_port, stop

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
SECRET = "bench-secret"
CONNECTIONS = 40  # webhook requests in flight at once (Telegram's default max_connections)


# ---------------------------------------------------------------- the fake, pushing webhooks


def fake_main(argv: list[str]) -> int:
    """load_fake with a webhook pusher: ready once every worker set its webhook."""
    import aiohttp

    from tests.benchmarks import load_fake

    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", required=True, help="comma-separated webhook URLs")
    ns, rest = parser.parse_known_args(argv)
    targets = ns.targets.split(",")

    class WebhookFake(load_fake.LoadFake):
        """Pushes queued updates to the workers in turn, CONNECTIONS at a time."""

        hooks = 0

        def _record_call(self, method: str, params: Any, uploads: Any) -> None:
            super()._record_call(method, params, uploads)
            if method == "setWebhook":
                self.hooks += 1
                if self.hooks >= len(targets):
                    self.polled.set()

        async def _webhook_loop(self) -> None:
            turn = itertools.count()
            flying: set[int] = set()
            timeout = aiohttp.ClientTimeout(total=30)
            connector = aiohttp.TCPConnector(limit=CONNECTIONS)
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                await asyncio.gather(
                    *(self._push(session, turn, flying) for _ in range(CONNECTIONS))
                )

        async def _push(
            self, session: aiohttp.ClientSession, turn: itertools.count[int], flying: set[int]
        ) -> None:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            while not self._closing:
                event = self._changed
                with self._lock:
                    head = min(
                        (p for p in self._queue if p.update["update_id"] not in flying),
                        key=lambda p: p.update["update_id"],
                        default=None,
                    )
                    if head is not None:
                        flying.add(head.update["update_id"])
                if head is None or not self._webhook.url:
                    await self._wait_change(event, 0.5)
                    continue
                url = targets[next(turn) % len(targets)]
                try:
                    async with session.post(url, json=head.update, headers=headers) as response:
                        ok = 200 <= response.status < 300
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                with self._lock:
                    flying.discard(head.update["update_id"])
                    if ok:
                        self._queue = [p for p in self._queue if p is not head]
                if not ok:
                    await asyncio.sleep(0.05)

    load_fake.LoadFake = WebhookFake  # type: ignore[misc]
    return load_fake.main(rest)


# ---------------------------------------------------------------- the bot, pace raised


def bot_main(argv: list[str]) -> int:
    """`python -m bot telegram` with the send pace raised and, unless asked, no chart."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--charts", action="store_true")
    ns = parser.parse_args(argv)
    import bot.telegram.app as app_module
    from bot.telegram import main as telegram

    os.environ["ADVISOR_SEND_RATE"] = str(ns.rate)  # each worker's own pace (ADVISOR_WORKERS=1)
    if not ns.charts:

        async def no_chart(report: object) -> None:
            return None

        app_module.chart_png_async = no_chart  # type: ignore[assignment]
    return telegram([])


# ---------------------------------------------------------------- the orchestrator


def postgres_cpu(datadir: Path) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster and every process it started."""
    try:
        master = int((datadir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            text = (proc / "stat").read_text()
        except OSError:
            continue
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        if int(proc.name) == master or ppid == master:
            try:
                total += cpu_seconds(int(proc.name))
            except (OSError, ValueError):
                continue
    return total


def one_run(
    backend: str, workers: int, ns: argparse.Namespace, url: str | None, datadir: Path | None
) -> dict[str, Any]:
    """Start the fake and the workers, drive the users, measure, stop everything."""
    with tempfile.TemporaryDirectory(prefix="advisor-pgbench-") as tmp:
        work = Path(tmp)
        ports = [free_port() for _ in range(workers)]
        targets = ",".join(f"http://127.0.0.1:{p}/tg" for p in ports)
        fake_argv = [sys.executable, "-m", "tests.benchmarks.pg_workers", "fake"]
        fake_argv += ["--targets", targets, "--token", TOKEN, "--users", str(ns.users)]
        fake_argv += ["--deadline", str(ns.deadline), "--linger", "30"]
        fake_log = (work / "fake.log").open("wb")
        fake = subprocess.Popen(
            fake_argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=fake_log, stdin=subprocess.DEVNULL
        )
        lines = Lines(fake)
        bots: list[subprocess.Popen[bytes]] = []
        result: dict[str, Any] = {"backend": backend, "workers": workers}
        try:
            first = lines.next(30) or ""
            if not first.startswith("PORT "):
                raise RuntimeError(f"the fake did not start: {first!r}")
            api = f"http://127.0.0.1:{int(first.split()[1])}/bot"
            for i, port in enumerate(ports):
                env = {
                    **os.environ,
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": api,
                    "ADVISOR_DB": str(work / f"w{i}" / "advisor.db"),
                    "ADVISOR_CHARTS": str(work / "charts"),
                    "WEBHOOK_URL": "https://advisor.example/tg",
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_PORT": str(port),
                    "LOG_LEVEL": "WARNING",
                }
                if url is not None:
                    env["ADVISOR_DATABASE_URL"] = url
                argv = [sys.executable, "-m", "tests.benchmarks.pg_workers", "bot"]
                argv += ["--rate", str(ns.rate)] + (["--charts"] if ns.charts else [])
                log = (work / f"bot{i}.log").open("wb")
                bots.append(subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log))
            cpu0 = pg0 = cpu1 = pg1 = 0.0
            limit = time.monotonic() + ns.deadline + 180
            while time.monotonic() < limit:
                line = lines.next(5)
                for b in bots:
                    if b.poll() is not None:
                        raise RuntimeError(f"a worker exited ({b.returncode})")
                if line is None:
                    if fake.poll() is not None:
                        raise RuntimeError("the fake exited without a result")
                    continue
                if line.startswith("START "):
                    cpu0 = sum(cpu_seconds(b.pid) for b in bots)
                    pg0 = postgres_cpu(datadir) if datadir else 0.0
                elif line.startswith("DONE "):
                    cpu1 = sum(cpu_seconds(b.pid) for b in bots)
                    pg1 = postgres_cpu(datadir) if datadir else 0.0
                elif line.startswith("RESULT "):
                    result.update(json.loads(line.removeprefix("RESULT ")))
                    break
            else:
                raise RuntimeError("no result before the deadline")
        finally:
            for b in bots:
                stop(b)
            stop(fake)
            fake_log.close()
    answered = max(int(result.get("updates_answered", 0)), 1)
    result["bot_cpu_ms_per_update"] = round((cpu1 - cpu0) * 1000 / answered, 2)
    result["db_cpu_ms_per_update"] = round((pg1 - pg0) * 1000 / answered, 2)
    return result


def line(r: dict[str, Any]) -> str:
    """One row of the printed table."""
    return (
        f"{r['backend']:<10} {r['workers']:>7} {r.get('updates_answered', 0):>8} "
        f"{r.get('updates_per_s', 0):>9} {r.get('p50_ms', 0):>8} {r.get('p99_ms', 0):>8} "
        f"{r['bot_cpu_ms_per_update']:>13} {r['db_cpu_ms_per_update']:>12} "
        f"{r.get('error_answers', 0):>6}"
    )


def bench_main(argv: list[str]) -> int:
    """SQLite with one worker, then PostgreSQL with each worker count; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds per run at most")
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--rate", type=float, default=1000.0, help="sends/s per worker")
    parser.add_argument("--charts", action="store_true", help="draw the chart (40-70 ms each)")
    parser.add_argument("--json", type=Path, help="also write every result here")
    ns = parser.parse_args(argv)
    from tests.postgres import PostgresServer, bindir

    found = bindir()
    if found is None:
        print("PostgreSQL server binaries not found: install Debian's postgresql", file=sys.stderr)
        return 2
    results = [one_run("sqlite", 1, ns, None, None)]
    server = PostgresServer(found, fsync=True)
    try:
        for n in (int(x) for x in ns.workers.split(",")):
            results.append(one_run("postgresql", n, ns, server.database(), server.data))
    finally:
        server.stop()
    print(
        f"users={ns.users} deadline={ns.deadline:.0f}s rate={ns.rate:.0f}/s/worker "
        f"charts={'on' if ns.charts else 'off'} cores={os.cpu_count()}"
    )
    print(
        f"{'backend':<10} {'workers':>7} {'answered':>8} {'updates/s':>9} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'bot CPU ms/u':>13} {'db CPU ms/u':>12} {'errors':>6}"
    )
    for r in results:
        print(line(r))
    if ns.json:
        ns.json.write_text(json.dumps(results, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch: the benchmark itself, or one of its child processes (fake, bot)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["fake"]:
        return fake_main(args[1:])
    if args[:1] == ["bot"]:
        return bot_main(args[1:])
    return bench_main(args)


if __name__ == "__main__":
    sys.exit(main())
