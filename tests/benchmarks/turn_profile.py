"""Where a dialogue turn's CPU goes, in process: the job-change conversation, step by step.

    python -m tests.benchmarks.turn_profile [conversations]   # CPU per step and per part
    python -m tests.benchmarks.turn_profile 50 --profile      # plus the top functions

Each step does what the bot does for one update besides HTTP and SQLite: restore the stored
state, `handle` the answer (dialogue, engine, rendering), the replies as outbox entries and the
new state as stored. The chart is not drawn (it runs in worker processes). CPU is this process's
user+system time (`time.process_time`), which other work on the machine disturbs less than wall
time. The parts come from a cProfile run (so their sum carries the profiler's overhead): each
function's own time, grouped by the package that holds it.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time
from datetime import date
from typing import Any

from bot.dialogue.machine import handle
from bot.dialogue.state import restore, stored
from bot.telegram.outgoing import from_reply, parse_callback
from tests.benchmarks.load_fake import CONVERSATION

TODAY = date(2026, 12, 3)
PARTS = (
    ("engine/", "engine"),
    ("bot/render/", "rendering (bot/render)"),
    ("bot/wording", "wording (bot/wording.py)"),
    ("jinja2/", "jinja2"),
    ("markupsafe", "jinja2"),
    ("bot/dialogue/", "dialogue (bot/dialogue)"),
    ("bot/telegram/", "outbox entries (bot/telegram)"),
    ("pydantic", "pydantic"),
    ("decimal", "engine"),
)


def conversation(steps: list[tuple[str, str]]) -> list[float]:
    """One whole conversation; the CPU seconds of each step."""
    raw: dict[str, Any] | None = None
    out = []
    for kind, value in steps:
        start = time.process_time()
        state = restore(raw)
        if kind == "tap":
            button = parse_callback(value)
            assert button is not None
            new, replies = handle(state, "", today=TODAY, button=button)
        else:
            new, replies = handle(state, value, today=TODAY)
        for reply in replies:
            from_reply(reply)
        raw = stored(new) if new is not None else None
        out.append(time.process_time() - start)
    return out


def part_of(filename: str) -> str:
    """The part of the code a profiled function belongs to."""
    for needle, part in PARTS:
        if needle in filename:
            return part
    return "other (stdlib, builtins)"


def parts(stats: pstats.Stats) -> dict[str, float]:
    """Own time by part, in seconds."""
    out: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        part = part_of(filename)
        out[part] = out.get(part, 0.0) + tottime
    return out


def main(argv: list[str]) -> int:
    """Print CPU per step (median over the conversations) and the split by part."""
    runs = int(argv[0]) if argv and argv[0].isdigit() else 30
    conversation(CONVERSATION)  # warm: templates compiled, parameters loaded
    per_step: list[list[float]] = [[] for _ in CONVERSATION]
    for _ in range(runs):
        for i, cpu in enumerate(conversation(CONVERSATION)):
            per_step[i].append(cpu)
    print(f"CPU per step, median of {runs} conversations (ms):")
    total = 0.0
    for (kind, value), cpus in zip(CONVERSATION, per_step, strict=True):
        ms = statistics.median(cpus) * 1000
        total += ms
        print(f"  {kind} {value:<18} {ms:7.2f}")
    print(f"  whole conversation     {total:7.2f}  ({total / len(CONVERSATION):.2f} per update)")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(max(1, runs // 3)):
        conversation(CONVERSATION)
    profiler.disable()
    stats = pstats.Stats(profiler)
    split = parts(stats)
    whole = sum(split.values())
    print("Own time by part (cProfile):")
    for part, seconds in sorted(split.items(), key=lambda kv: -kv[1]):
        print(f"  {part:<32} {seconds / whole * 100:5.1f}%")
    if "--profile" in argv:
        stats.sort_stats("tottime").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
