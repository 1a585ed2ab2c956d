"""`python -m bot telegram` with python-telegram-bot's limits overridden, for benchmarks only.

    BENCH_RATE_LIMIT=0 BENCH_POOL=256 BENCH_CHARTS=0 python -m tests.benchmarks.tuned_bot

The very same code path as `python -m bot telegram` (settings, serve(), build_application(),
the handlers, the store); only these constructor arguments, which the bot hard-codes today and
which are not operator settings, are replaced before start-up:

- BENCH_RATE_LIMIT: AIORateLimiter(overall_max_rate=...) in messages/s; 30 is PTB's default
  (Telegram's documented bulk ceiling), 0 means no client-side throttling (429s are still
  retried, max_retries=8 as in the bot).
- BENCH_POOL: ApplicationBuilder.connection_pool_size (the bot uses 64).
- BENCH_POOL_TIMEOUT: ApplicationBuilder.pool_timeout in seconds (PTB's default is 1).
- BENCH_KEEPALIVE: httpx's max_keepalive_connections (PTB leaves httpx's default, 20, so a
  pool larger than 20 closes and reopens connections under load).
- BENCH_HTTP=aiohttp: the Bot API calls (not getUpdates) go through
  tests/benchmarks/aiohttp_request.py instead of httpx (an experiment, see that file).
- BENCH_CONCURRENCY: ChatOrderedProcessor(max_concurrent_updates) (the bot uses 256).
- BENCH_CHARTS=0: the answer is sent without the matplotlib chart.
- BENCH_SNIFFIO=stub: `sys.modules["sniffio"] = None`, so httpcore's per-request
  `import sniffio` (not installed here) fails at once instead of searching sys.path each time;
  behaviour is the same (asyncio), only faster. Installing sniffio has the same effect.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx
from telegram.ext import AIORateLimiter, ApplicationBuilder
from telegram.request import HTTPXRequest

import bot.telegram.app as app_module
from bot.telegram.processor import ChatOrderedProcessor

DEFAULTS = {
    "BENCH_RATE_LIMIT": "30",
    "BENCH_POOL": "64",
    "BENCH_POOL_TIMEOUT": "",
    "BENCH_CONCURRENCY": "256",
    "BENCH_CHARTS": "1",
    "BENCH_SNIFFIO": "",
    "BENCH_KEEPALIVE": "",
    "BENCH_HTTP": "",
}


def knob(name: str) -> str:
    """The value of one BENCH_* variable (its default when unset)."""
    return os.environ.get(name, DEFAULTS[name])


class TunedBuilder(ApplicationBuilder):  # type: ignore[type-arg]
    """ApplicationBuilder whose limits come from BENCH_* instead of the bot's literals."""

    def rate_limiter(self, rate_limiter: Any) -> Any:
        """Replace the AIORateLimiter by one with BENCH_RATE_LIMIT messages/s."""
        rate = float(knob("BENCH_RATE_LIMIT"))
        return super().rate_limiter(AIORateLimiter(overall_max_rate=rate, max_retries=8))

    def connection_pool_size(self, connection_pool_size: int) -> Any:
        """BENCH_POOL connections (and BENCH_POOL_TIMEOUT, BENCH_KEEPALIVE, when set)."""
        pool = int(knob("BENCH_POOL"))
        if knob("BENCH_HTTP") == "aiohttp":
            from tests.benchmarks.aiohttp_request import AiohttpRequest

            return self.request(AiohttpRequest(pool))
        if knob("BENCH_KEEPALIVE"):
            keep = int(knob("BENCH_KEEPALIVE"))
            limits = httpx.Limits(max_connections=pool, max_keepalive_connections=keep)
            timeout = float(knob("BENCH_POOL_TIMEOUT") or 1)
            request = HTTPXRequest(pool, pool_timeout=timeout, httpx_kwargs={"limits": limits})
            return self.request(request)
        builder = super().connection_pool_size(pool)
        if knob("BENCH_POOL_TIMEOUT"):
            builder = builder.pool_timeout(float(knob("BENCH_POOL_TIMEOUT")))
        return builder

    def concurrent_updates(self, concurrent_updates: Any) -> Any:
        """ChatOrderedProcessor with BENCH_CONCURRENCY slots."""
        return super().concurrent_updates(ChatOrderedProcessor(int(knob("BENCH_CONCURRENCY"))))


def no_chart(report: Any) -> None:
    """The answer without a chart."""
    return None


def main() -> int:
    """Patch the builder (and the chart), then run the bot's own main()."""
    if knob("BENCH_SNIFFIO") == "stub":
        sys.modules["sniffio"] = None  # type: ignore[assignment]
    app_module.ApplicationBuilder = TunedBuilder  # type: ignore[misc]
    if knob("BENCH_CHARTS") == "0":
        app_module.chart_png = no_chart
    from bot.telegram import main as telegram

    return telegram([])


if __name__ == "__main__":
    sys.exit(main())
