"""Run the fake Bot API as a child process, or as `python -m tests.telegram.fake_api`."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from tests.telegram.fake_api.client import (
    FakeClient,
)
from tests.telegram.fake_api.constants import (
    DEFAULT_TOKEN,
    ROOT,
)
from tests.telegram.fake_api.server import (
    FakeBotAPI,
)


class FakeServerProcess:
    """Runs `python -m tests.telegram.fake_api` as a child process; a context manager."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        latency: float = 0.0,
        log: bool = False,
        startup_timeout: float = 15.0,
    ) -> None:
        """Configure; nothing runs until start()."""
        self.token = token
        self.latency = latency
        self.log = log
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> FakeClient:
        """Spawn the server, wait (bounded) for its PORT line, return a client."""
        argv = [sys.executable, "-m", "tests.telegram.fake_api", "--port", "0"]
        argv += ["--token", self.token, "--latency", str(self.latency)]
        if self.log:
            argv.append("--log")
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"fake Bot API did not start (got {line!r})")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                line += os.read(self.proc.stdout.fileno(), 256)
        match = re.match(rb"PORT (\d+)", line)
        if match is None:
            self.stop()
            raise RuntimeError(f"unexpected first line from the fake: {line!r}")
        self.port = int(match.group(1))
        return FakeClient(self.port, token=self.token)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the server, wait (bounded, then SIGKILL); its return code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode

    def __enter__(self) -> FakeClient:
        """Start and return the client."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop."""
        self.stop()


# --------------------------------------------------------------------------- CLI


async def serve(host: str, port: int, token: str, latency: float, log: bool) -> int:
    """Run the fake until SIGTERM/SIGINT, printing 'PORT <n>' once listening."""
    fake = FakeBotAPI(token, latency=latency)
    if log:
        fake.log = lambda line: print(line, file=sys.stderr, flush=True)
    bound = await fake.start(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"PORT {bound}", flush=True)
    await stop.wait()
    await fake.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: python -m tests.telegram.fake_api --port 0 --token T."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--log", action="store_true", help="log every call to stderr")
    args = parser.parse_args(argv)
    return asyncio.run(serve(args.host, args.port, args.token, args.latency, args.log))
