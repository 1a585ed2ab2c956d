"""bot/chart.py: the chart off the event loop in worker processes, cached by what it draws."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Any

import pytest

from bot.chart import (
    ChartCache,
    ChartPool,
    Figures,
    OptionsFigures,
    RetirementFigures,
    chart_figures,
    chart_png,
    chart_png_async,
    figures_key,
)
from engine import Profile, Report, evaluate

JOB_CHANGE: dict[str, Any] = {
    "as_of": "2026-11-23",
    "age": 45,
    "salary": 85000,
    "balances": {"pretax": 60000, "roth": 10000, "roth_first_year": 2020, "employer": 20000},
    "vesting": {"schedule": "graded6", "years_of_service": 3},
    "job_change": {"leaving": True, "separation_date": "2026-12-15"},
}
RETIREE: dict[str, Any] = {
    "as_of": "2026-11-23",
    "age": 64,
    "salary": 90000,
    "balances": {"pretax": 900000},
    "retirement": {"age": 65, "spending_monthly": 5500, "stock_percent": 60},
}
STAYING: dict[str, Any] = {"as_of": "2026-11-23", "age": 40, "salary": 70000}


def report(data: dict[str, Any]) -> Report:
    """The engine's report for a profile."""
    return evaluate(Profile.model_validate(data))


def test_figures_name_what_is_drawn_and_their_key_follows_every_number() -> None:
    options = chart_figures(report(JOB_CHANGE))
    assert isinstance(options, OptionsFigures) and len(options.names) == len(options.now) >= 2
    retiring = chart_figures(report(RETIREE))
    assert isinstance(retiring, RetirementFigures) and retiring.cohorts > 1
    assert chart_figures(report(STAYING)) is None
    assert figures_key(options) == figures_key(chart_figures(report(JOB_CHANGE)))  # type: ignore[arg-type]
    richer = chart_figures(report({**JOB_CHANGE, "balances": {"pretax": 60001}}))
    assert richer is not None and figures_key(richer) != figures_key(options)
    assert figures_key(replace(options, title="other")) != figures_key(options)


def test_the_cache_keeps_the_most_recently_used() -> None:
    cache = ChartCache(size=2)
    cache.put("a", b"A")
    cache.put("b", b"B")
    assert cache.get("a") == b"A"  # a is now the most recent
    cache.put("c", b"C")
    assert cache.get("b") is None and cache.get("a") == b"A" and cache.get("c") == b"C"
    assert len(cache) == 2 and (cache.hits, cache.misses) == (3, 1)


class CountingPool(ChartPool):
    """A ChartPool that counts the charts it sends to its workers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.submitted = 0

    def submit(self, figures: Figures) -> Future[bytes]:
        self.submitted += 1
        return super().submit(figures)


@pytest.mark.slow
def test_drawn_in_a_worker_identical_to_drawing_inline_and_cached() -> None:
    job, retiree = report(JOB_CHANGE), report(RETIREE)
    pool = CountingPool(workers=1)

    async def go() -> list[bytes]:
        out = []
        for r in (job, retiree, job):
            figures = chart_figures(r)
            assert figures is not None
            out.append(await pool.png(figures))
        return out

    try:
        first, second, again = asyncio.run(go())
    finally:
        pool.shutdown()
    assert first == chart_png(job) and second == chart_png(retiree) and again == first
    assert first.startswith(b"\x89PNG") and pool.submitted == 2 and pool.cache.hits == 1


@pytest.mark.slow
def test_the_same_chart_asked_for_at_once_is_drawn_once() -> None:
    figures = chart_figures(report(JOB_CHANGE))
    assert figures is not None
    pool = CountingPool(workers=2)

    async def go() -> list[bytes]:
        return list(await asyncio.gather(*(pool.png(figures) for _ in range(5))))

    try:
        pngs = asyncio.run(go())
    finally:
        pool.shutdown()
    assert len(set(pngs)) == 1 and pool.submitted == 1


@pytest.mark.slow
def test_past_the_backlog_an_answer_goes_without_its_chart() -> None:
    figures = chart_figures(report(JOB_CHANGE))
    assert figures is not None
    pool = CountingPool(workers=1, backlog=2)

    async def go() -> list[bytes | None]:
        others = [replace(figures, title=f"chart {i}") for i in range(3)]
        return list(await asyncio.gather(*(pool.png(f) for f in others)))

    try:
        first, second, third = asyncio.run(go())
    finally:
        pool.shutdown()
    assert first is not None and second is not None and third is None
    assert pool.submitted == 2 and pool.skipped == 1


@pytest.mark.slow
def test_the_event_loop_keeps_running_while_a_chart_is_drawn() -> None:
    retiree = report(RETIREE)
    pool = ChartPool(workers=1)

    async def go() -> float:
        figures = chart_figures(retiree)
        assert figures is not None
        await pool.png(replace(figures, title="warm-up"))  # the worker is started and warm
        gaps: list[float] = []
        drawing = asyncio.create_task(pool.png(figures))
        last = time.monotonic()
        while not drawing.done():
            await asyncio.sleep(0.005)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        await drawing
        return max(gaps)

    try:
        worst_gap = asyncio.run(go())
    finally:
        pool.shutdown()
    # Drawn inline the chart would hold the loop for its whole 40-150 ms of CPU.
    assert worst_gap < 0.04


@pytest.mark.slow
def test_a_killed_worker_fails_one_chart_and_the_next_is_drawn_again() -> None:
    figures = chart_figures(report(JOB_CHANGE))
    assert isinstance(figures, OptionsFigures)
    pool = ChartPool(workers=1)

    async def go() -> bytes:
        await pool.png(figures)
        executor = pool._pool()
        for pid in list(executor._processes):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            await pool.png(replace(figures, title="after the kill"))
        return await pool.png(replace(figures, title="drawn again"))

    try:
        png = asyncio.run(go())
    finally:
        pool.shutdown()
    assert png.startswith(b"\x89PNG")


def _parent(queue: multiprocessing.Queue[list[int]]) -> None:
    """A process that starts a chart pool, reports its workers' pids, then waits to be killed."""
    pool = ChartPool(workers=2)
    figures = chart_figures(report(JOB_CHANGE))
    assert figures is not None
    asyncio.run(pool.png(figures))
    queue.put(list(pool._pool()._processes))
    time.sleep(60)


def alive(pid: int) -> bool:
    """Whether a process exists (and is not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_workers_stop_when_the_bot_is_killed() -> None:
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[list[int]] = ctx.Queue()
    parent = ctx.Process(target=_parent, args=(queue,))
    parent.start()
    try:
        workers = queue.get(timeout=60)
        assert workers and all(alive(pid) for pid in workers)
        os.kill(parent.pid, signal.SIGKILL)  # type: ignore[arg-type]
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.join(10)


@pytest.mark.slow
def test_chart_png_async_draws_the_answer_s_chart_or_none() -> None:
    job, staying = report(JOB_CHANGE), report(STAYING)

    async def go() -> tuple[bytes | None, bytes | None]:
        return await chart_png_async(job), await chart_png_async(staying)

    png, none = asyncio.run(go())
    assert png == chart_png(job) and none is None
