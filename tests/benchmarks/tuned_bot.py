"""`python -m bot telegram` with or without its chart, for benchmarks only.

    BENCH_CHART=workers python -m tests.benchmarks.tuned_bot   # what ships
    BENCH_CHART=off python -m tests.benchmarks.tuned_bot       # the answer without its chart

The very same code path as `python -m bot telegram` (settings, Service, the poll loop, the
store, the sender); the send rate and the connection pool are operator settings
(ADVISOR_SEND_RATE, ADVISOR_HTTP_POOL) and need no patch. Only the chart step of a turn can be
switched off: bot/telegram/app.py draws charts with `bot.chart.chart_png_async` (worker
processes, cached by the figures), and "off" replaces that by no chart. The former "thread"
mode (matplotlib in a thread of the bot) is gone with the code it measured.
"""

from __future__ import annotations

import os
import sys

import bot.telegram.app as app_module

MODES = ("workers", "off")


async def no_chart(report: object) -> None:
    """The answer without a chart."""
    return None


def main() -> int:
    """Choose the chart step, then run the bot's own main()."""
    mode = os.environ.get("BENCH_CHART", "workers")
    if mode not in MODES:
        print(f"BENCH_CHART must be one of {MODES}", file=sys.stderr)
        return 2
    if mode == "off":
        app_module.chart_png_async = no_chart  # type: ignore[assignment]
    from bot.telegram import main as telegram

    return telegram([])


if __name__ == "__main__":
    sys.exit(main())
