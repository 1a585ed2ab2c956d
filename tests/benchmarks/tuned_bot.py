"""`python -m bot telegram` with the chart drawn another way, for benchmarks only.

    BENCH_CHART=workers python -m tests.benchmarks.tuned_bot   # what ships (see below)
    BENCH_CHART=off python -m tests.benchmarks.tuned_bot       # the answer without its chart
    BENCH_CHART=thread python -m tests.benchmarks.tuned_bot    # matplotlib in a thread of the bot

The very same code path as `python -m bot telegram` (settings, Service, the poll loop, the
store, the sender); the send rate and the connection pool are operator settings
(ADVISOR_SEND_RATE, ADVISOR_HTTP_POOL) and need no patch. Only the chart step of a turn
(`Turns._outgoing` in bot/telegram/app.py) is chosen here:

- workers: `await bot.chart.chart_png_async(report)`: drawn in the chart worker processes and
  cached by its figures. This is the one-line change bot/telegram/app.py gets; once app.py calls
  chart_png_async itself, nothing is replaced.
- thread: `await asyncio.to_thread(chart_png, report)`, matplotlib inside the bot's process (what
  app.py did before chart_png_async).
- off: no chart.
"""

from __future__ import annotations

import logging
import os
import sys

import bot.telegram.app as app_module
from bot.chart import chart_png_async
from bot.dialogue.replies import Reply
from bot.store import Outgoing
from bot.telegram.outgoing import from_reply, photo
from bot.wording import say

log = logging.getLogger("advisor.telegram")
MODES = ("workers", "thread", "off")


async def outgoing_with_chart_workers(
    self: app_module.Turns, replies: list[Reply]
) -> list[Outgoing]:
    """Turns._outgoing with the chart from chart_png_async (the change app.py gets)."""
    out: list[Outgoing] = []
    for reply in replies:
        out.append(from_reply(reply))
        if reply.has_chart and reply.report is not None:
            try:
                png = await chart_png_async(reply.report)
            except Exception as exc:  # no chart is better than no answer
                log.error("chart failed: %s", type(exc).__name__)
                png = None
            if png:
                out.append(photo(png, say("dialogue.chart_caption")))
    return out


def no_chart(report: object) -> None:
    """The answer without a chart."""
    return None


def main() -> int:
    """Choose the chart step, then run the bot's own main()."""
    mode = os.environ.get("BENCH_CHART", "workers")
    if mode not in MODES:
        print(f"BENCH_CHART must be one of {MODES}", file=sys.stderr)
        return 2
    shipped_uses_workers = hasattr(app_module, "chart_png_async")
    if mode == "workers" and not shipped_uses_workers:
        app_module.Turns._outgoing = outgoing_with_chart_workers  # type: ignore[method-assign]
    elif mode == "thread" and shipped_uses_workers:
        print("app.py draws charts in workers; the thread mode is gone", file=sys.stderr)
        return 2
    elif mode == "off":
        app_module.chart_png = no_chart  # type: ignore[assignment]
        if shipped_uses_workers:
            app_module.chart_png_async = _async_none  # type: ignore[attr-defined]
    from bot.telegram import main as telegram

    return telegram([])


async def _async_none(report: object) -> None:
    """No chart (for app.py once it calls chart_png_async)."""
    return None


if __name__ == "__main__":
    sys.exit(main())
