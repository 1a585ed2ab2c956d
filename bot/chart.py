"""The answer's chart (PNG): the job-change options side by side, or every historical retirement."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bot.wording import label, text
from engine import Report

log = logging.getLogger("advisor.chart")

CHART_WORKERS = 2  # processes drawing charts, started at the first chart
CHART_BACKLOG = 4  # charts drawing or waiting for a worker; past it an answer goes without one
CACHE_SIZE = 256  # charts kept, by the figures they draw


@dataclass(frozen=True)
class OptionsFigures:
    """What the options chart draws: each option's value now and at retirement."""

    title: str
    names: tuple[str, ...]
    now: tuple[float, ...]
    later: tuple[float, ...]
    now_label: str
    later_label: str


@dataclass(frozen=True)
class RetirementFigures:
    """What the retirement chart draws: the inputs of every start year's balance path."""

    title: str
    worst_label: str
    age_label: str
    ages: tuple[int, ...]
    start: Decimal
    need: tuple[Decimal, ...]
    pension: Decimal
    share: Decimal
    cohorts: int
    first_year: int
    worst_start_year: int


Figures = OptionsFigures | RetirementFigures


def chart_png(report: Report) -> bytes | None:
    """The answer's chart as PNG bytes: every historical retirement, or the options compared."""
    figures = chart_figures(report)
    return None if figures is None else draw(figures)


def retirement_png(report: Report) -> bytes | None:
    """Each start year's real balance path, the worst start year drawn over the rest (PNG)."""
    figures = retirement_figures(report)
    return None if figures is None else draw(figures)


def options_png(report: Report) -> bytes | None:
    """Each option's value now and at retirement, side by side (PNG); None if nothing to compare."""
    figures = options_figures(report)
    return None if figures is None else draw(figures)


def chart_figures(report: Report) -> Figures | None:
    """What the answer's chart draws (words and numbers), or None when it has no chart."""
    if report.retirement is not None and report.retirement.historical is not None:
        return retirement_figures(report)
    return options_figures(report)


def retirement_figures(report: Report) -> RetirementFigures | None:
    """The retirement chart's words and inputs; None without a historical run."""
    t = report.retirement
    if t is None or t.historical is None:
        return None
    h = t.historical
    from engine.rules import history

    year = report.tax_year
    need = tuple(Decimal(x) for x in h.need_real)
    return RetirementFigures(
        title=text(
            "label.phrase.retirement_chart_title",
            tax_year=year,
            first=str(h.first_year),
            last=str(h.last_year),
        ),
        worst_label=text(
            "label.phrase.retirement_chart_worst", tax_year=year, start=str(h.worst_start_year)
        ),
        age_label=label("age", "chart", year),
        ages=tuple(t.age + k for k in range(len(need) + 1)),
        start=Decimal(t.start_balance),
        need=need,
        pension=Decimal(h.fixed_pension),
        share=Decimal(h.stock_percent) / 100,
        cohorts=h.cohorts,
        first_year=history.FIRST_YEAR,
        worst_start_year=h.worst_start_year,
    )


def options_figures(report: Report) -> OptionsFigures | None:
    """The options chart's words and numbers; None if nothing to compare."""
    options = [o for o in report.job_change.options if o.available]
    if not report.job_change.leaving or not options:
        return None
    year = report.tax_year
    return OptionsFigures(
        title=text("label.phrase.chart_title", tax_year=year),
        names=tuple(label(o.id, "chart_option", year) for o in options),
        now=tuple(float(o.net_now) for o in options),
        later=tuple(float(o.value_at_retirement) for o in options),
        now_label=label("net_now", "chart", year),
        later_label=label("at_retirement", "chart", year),
    )


def draw(figures: Figures) -> bytes:
    """The chart of these figures as PNG bytes (matplotlib; runs in a chart worker or inline)."""
    if isinstance(figures, RetirementFigures):
        return _draw_retirement(figures)
    return _draw_options(figures)


def _draw_retirement(f: RetirementFigures) -> bytes:
    """Each start year's real balance path, the worst start year drawn over the rest."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from engine.rules import history

    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    fig.subplots_adjust(left=0.14, right=0.98, top=0.9, bottom=0.14)
    ages = list(f.ages)
    worst = None
    for i in range(f.cohorts):
        path = [float(b) for b in history.balance_path(i, f.start, f.need, f.pension, f.share)]
        if f.first_year + i == f.worst_start_year:
            worst = path
        ax.plot(ages, path, color="#9bb3d6", linewidth=0.6, alpha=0.6)
    if worst is not None:
        ax.plot(ages, worst, color="#c44e52", linewidth=2, label=f.worst_label)
        ax.legend(fontsize=8)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("${x:,.0f}"))
    ax.set_xlabel(f.age_label, fontsize=8)
    ax.set_title(f.title, fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _draw_options(f: OptionsFigures) -> bytes:
    """Each option's value now and at retirement, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    # Fixed margins: tight_layout would draw the figure twice (most of the chart's CPU).
    fig.subplots_adjust(left=0.14, right=0.98, top=0.9, bottom=0.12)
    xs = range(len(f.names))
    ax.bar([x - 0.2 for x in xs], list(f.now), width=0.4, label=f.now_label, color="#4c72b0")
    ax.bar([x + 0.2 for x in xs], list(f.later), width=0.4, label=f.later_label, color="#55a868")
    ax.set_xticks(list(xs), list(f.names), fontsize=8)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("${x:,.0f}"))
    ax.set_title(f.title, fontsize=10)
    ax.legend(fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def figures_key(figures: Figures) -> str:
    """The cache key of a chart: a hash of every word and number it draws."""
    return hashlib.sha256(repr(figures).encode()).hexdigest()


class ChartCache:
    """The last CACHE_SIZE charts by figures_key, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        """An empty cache of at most size charts."""
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> bytes | None:
        """The chart stored under key (now the most recent), or None."""
        png = self._items.get(key)
        if png is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return png

    def put(self, key: str, png: bytes) -> None:
        """Store a chart, dropping the least recently used beyond the size."""
        self._items[key] = png
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        """How many charts are kept."""
        return len(self._items)


class ChartPool:
    """Charts drawn in worker processes (started at the first chart), cached by their figures.

    The event loop's thread only builds the figures and hashes them; matplotlib runs in the
    workers, which hold their own GIL. The same figures asked for twice at once are drawn once.
    When `backlog` charts are already drawing or waiting, a new one is not drawn (None): under
    more answers than the workers can draw, an answer goes out without its chart, not later.
    """

    def __init__(
        self,
        workers: int = CHART_WORKERS,
        cache_size: int = CACHE_SIZE,
        backlog: int = CHART_BACKLOG,
    ) -> None:
        """Nothing starts until the first chart."""
        self.workers = workers
        self.backlog = backlog
        self.skipped = 0  # charts not drawn because the backlog was full
        self.cache = ChartCache(cache_size)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._drawing: dict[str, asyncio.Future[bytes]] = {}

    def _pool(self) -> ProcessPoolExecutor:
        """The worker processes, started on first use (spawned: no copy of the bot's threads)."""
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_start,
                    initargs=(os.getpid(),),
                )
            return self._executor

    def submit(self, figures: Figures) -> Future[bytes]:
        """Draw in a worker; a pool broken by a dead worker is replaced for the next chart."""
        pool = self._pool()
        try:
            return pool.submit(draw, figures)
        except BrokenProcessPool:
            self._discard(pool)
            return self._pool().submit(draw, figures)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool (its workers are gone)."""
        with self._lock:
            if self._executor is pool:
                self._executor = None
        pool.shutdown(wait=False, cancel_futures=True)

    async def png(self, figures: Figures) -> bytes | None:
        """The chart of these figures: from the cache, or drawn in a worker and kept.

        None when the backlog is full (the chart is skipped, not queued).
        """
        key = figures_key(figures)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        pending = self._drawing.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        if len(self._drawing) >= self.backlog:
            self.skipped += 1
            if self.skipped == 1 or self.skipped % 100 == 0:
                log.warning(
                    "charts skipped: %d (more answers than the chart workers draw)", self.skipped
                )
            return None
        loop = asyncio.get_running_loop()
        pool = self._pool()
        drawing = asyncio.wrap_future(self.submit(figures), loop=loop)
        self._drawing[key] = drawing
        try:
            png = await asyncio.shield(drawing)
        except BrokenProcessPool:
            self._discard(pool)
            raise
        finally:
            self._drawing.pop(key, None)
        self.cache.put(key, png)
        return png

    def shutdown(self) -> None:
        """Stop the workers (they also stop by themselves when this process is gone)."""
        with self._lock:
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _worker_start(parent: int) -> None:
    """In a chart worker: load matplotlib now, and exit when the bot's process is gone."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot

    def watch() -> None:
        """Exit once the parent died (kill -9 leaves no one to stop the pool)."""
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


POOL = ChartPool()


async def chart_png_async(report: Report) -> bytes | None:
    """The answer's chart, drawn off the event loop in a worker process and cached by figures."""
    figures = chart_figures(report)
    if figures is None:
        return None
    return await POOL.png(figures)


def chart_folder(directory: str | None = None) -> Path:
    """Where the console writes its charts."""
    return Path(directory or os.environ.get("ADVISOR_CHARTS", "data/charts"))


def chart_file(report: Report, directory: str | None = None, owner: str = "") -> str | None:
    """Write the chart to a PNG file named by its owner and content; return the path."""
    png = chart_png(report)
    if png is None:
        return None
    folder = chart_folder(directory)
    folder.mkdir(parents=True, exist_ok=True)
    kind = "retirement" if report.retirement is not None else "options"
    prefix = f"{kind}-{owner}-" if owner else f"{kind}-"
    path = folder / f"{prefix}{hashlib.sha256(png).hexdigest()[:12]}.png"
    if not path.exists():
        path.write_bytes(png)
    return str(path)


def forget_charts(owner: str, directory: str | None = None) -> int:
    """Delete every chart file written for this owner (/forget); the number deleted."""
    folder = chart_folder(directory)
    gone = 0
    for path in list(folder.glob(f"*-{owner}-*.png")) if folder.is_dir() else []:
        path.unlink(missing_ok=True)
        gone += 1
    return gone
