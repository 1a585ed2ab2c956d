"""A py-spy profile of the bot, summed by the project file that spent the time.

    py-spy record --gil --nonblocking -r 250 -d 15 -f raw -o bot.txt -p <bot pid>
    python -m tests.benchmarks.profile_summary bot.txt [ms per update]

Each sample (a stack in py-spy's raw format) is charged to the innermost frame in a file of
this project (bot/..., engine/...), so the time python-telegram-bot, aiohttp, jinja2 or SQLite
spend on behalf of, say, bot/telegram/sender.py counts as sender.py's. With --gil, py-spy
samples only the thread holding the GIL: the Python CPU of the process, whichever thread.
Given the run's measured CPU per update, each share is also shown in milliseconds per update.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

OURS = ("bot/", "engine/")
# Frames that only start the event loop: what runs under them alone is the loop's own work.
STARTERS = ("main (", "serve (", "<module> (")


def owner(stack: list[str]) -> str:
    """The project file a sample is charged to (the innermost frame in bot/ or engine/)."""
    for frame in reversed(stack):
        if frame.startswith(STARTERS):
            continue
        where = frame.rsplit(" (", 1)[-1]
        for root in OURS:
            at = where.find(root)
            if at >= 0 and "site-packages" not in where:
                return where[at:].split(":", 1)[0]
    return "event loop, threads, start-up (no project frame)"


def summary(path: Path) -> tuple[int, Counter[str]]:
    """(samples, samples by owning file) of a py-spy raw file."""
    by_file: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        by_file[owner(stack.split(";"))] += int(count)
    return total, by_file


def main(argv: list[str]) -> int:
    """Print the share of each file (and ms per update when given)."""
    total, by_file = summary(Path(argv[0]))
    per_update = float(argv[1]) if len(argv) > 1 else 0.0
    print(f"{total} samples")
    for name, n in by_file.most_common(20):
        share = n / max(total, 1)
        ms = f"  {share * per_update:.2f} ms/update" if per_update else ""
        print(f"{share * 100:5.1f}%  {name}{ms}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
