"""The fake Bot API plus simulated users, in one process of its own (the bot runs in another).

    python -m tests.benchmarks.load_fake --users 1000 --latency 0.2 [--think 0] [--deadline 600]

Prints ``PORT <n>``, waits for a bot to poll, then starts every user at once. Each user walks
the whole job-change conversation and waits for the bot's reply (the first sendMessage to its
chat after its update was queued) before sending the next answer, like a person. With
``--think T`` a user pauses T x uniform(0.5, 1.5) seconds before each answer, the first one too
(so users arrive spread over the first T seconds): with T much longer than a reply takes, the
offered load is users / T updates a second whatever the bot does (an open load); with T = 0
every user always has one update outstanding (a closed loop, the bot sets the pace). Each user
gives a balance of its own (``--same-answers``: all the same), so charts differ. Prints
``START <t>`` when users start, ``DONE <t>`` when the last reply arrived, then ``RESULT <json>``
after the bot went quiet (charts and trailing messages delivered) or the deadline passed.

It is FakeBotAPI unchanged in what it answers (HTML parsed and validated, keyboards checked,
messages stored), with two lighter observation paths so a 10,000-user run does not measure the
fake: calls are counted instead of copied into a list, and sent messages keep a short summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import signal
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.telegram.fake_api import DEFAULT_TOKEN, FakeBotAPI, Upload

JSON = dict[str, Any]

# The job-change conversation: ("send", text) or ("tap", callback_data).
CONVERSATION: list[tuple[str, str]] = [
    ("send", "/start"),
    ("tap", "a:goal:job_change"),
    ("send", "45"),
    ("send", "85k"),
    ("send", "60000"),
    ("send", "12000"),
    ("tap", "a:schedule:graded6"),
    ("send", "2023-03-01"),
    ("send", "8000"),
    ("send", "2026-12-15"),
    ("tap", "a:filing:single"),
]
# With --open-options a user then taps the answer's "Your options" button: that part comes with
# the chart, so a run measures the chart (users who never open a part draw none).
OPEN_OPTIONS = ("tap", "a:section:options")
BALANCE_STEP = 4  # the 401(k) balance: each user gives a different one (see answers_of)
# Text that only the final answer contains (ours and the reference bot's), in one of its messages.
FINAL_MARKERS = ("My suggestion", "Thanks, that is everything")


def answers_of(chat: int, steps: list[tuple[str, str]], same: bool) -> list[tuple[str, str]]:
    """A user's answers: the conversation with a balance of its own (so each answer's chart is
    drawn, not taken from the chart cache), or the very same answers for every user."""
    if same or len(steps) <= BALANCE_STEP:
        return steps
    mine = list(steps)
    mine[BALANCE_STEP] = ("send", str(int(steps[BALANCE_STEP][1]) + chat % 10_000))
    return mine


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values, 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def cpu_seconds() -> float:
    """User + system CPU seconds this process used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class LoadFake(FakeBotAPI):
    """FakeBotAPI that resolves a waiting user's future on the first sendMessage to its chat."""

    def __init__(self, token: str, *, latency: float) -> None:
        """Set up the fake and the per-chat waiters."""
        super().__init__(token, latency=latency)
        self.waiters: dict[int, asyncio.Future[float]] = {}
        self.call_counts: Counter[str] = Counter()
        self.sent_counts: Counter[int] = Counter()
        self.last_text: dict[int, str] = {}
        self.photos: Counter[int] = Counter()
        self.answered_chats: set[int] = set()  # chats that got the final answer
        self.last_send_at = 0.0
        self.polled = asyncio.Event()

    def _record_call(self, method: str, params: JSON, uploads: dict[str, Upload]) -> None:
        """Count the call (a full copy of every call would be most of the fake's work)."""
        self.call_counts[method] += 1
        if method == "getUpdates":
            self.polled.set()

    def _record_sent(self, chat_id: int, entry: JSON) -> None:
        """Keep a summary and wake the user waiting for this chat's reply."""
        now = time.monotonic()
        self.last_send_at = now
        if entry["method"] == "sendPhoto":
            self.photos[chat_id] += 1
            return
        if entry["method"] != "sendMessage":
            return
        self.sent_counts[chat_id] += 1
        plain = str(entry.get("plain") or "")
        self.last_text[chat_id] = plain[:200]
        if any(m in plain for m in FINAL_MARKERS):
            self.answered_chats.add(chat_id)
        waiter = self.waiters.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)


@dataclass
class Stats:
    """What the simulated users observed."""

    latencies: list[float] = field(default_factory=list)
    by_step: dict[int, list[float]] = field(default_factory=dict)
    first_queued: float = 0.0
    last_reply: float = 0.0
    updates: int = 0
    completed: int = 0
    unanswered: int = 0
    stopped_early: int = 0


async def user(
    fake: LoadFake,
    chat: int,
    steps: list[tuple[str, str]],
    stats: Stats,
    deadline: float,
    think: float,
    rng: random.Random,
) -> None:
    """One person: send, wait for the reply, think, send the next answer."""
    loop = asyncio.get_running_loop()
    answered_with = 0
    for step, (kind, value) in enumerate(steps):
        if think > 0:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            stats.stopped_early += 1
            return
        if (kind, value) == OPEN_OPTIONS:
            # the answer is two messages (the verdict, then a follow-up question): the tap comes
            # after both, or the follow-up would count as the tap's reply
            while fake.sent_counts[chat] < answered_with + 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        waiter: asyncio.Future[float] = loop.create_future()
        fake.waiters[chat] = waiter
        queued = time.monotonic()
        if kind == "send":
            fake.user_sends(chat, value)
        else:
            fake.user_taps(chat, value, check_button=False)
        stats.updates += 1
        try:
            replied = await asyncio.wait_for(waiter, remaining)
        except TimeoutError:
            fake.waiters.pop(chat, None)
            stats.unanswered += 1
            return
        answered_with = fake.sent_counts[chat]  # messages this chat got, the reply included
        stats.latencies.append(replied - queued)
        stats.by_step.setdefault(step, []).append(replied - queued)
        stats.last_reply = max(stats.last_reply, replied)
    if chat in fake.answered_chats:
        stats.completed += 1


async def run(args: argparse.Namespace) -> int:
    """Serve, wait for the bot, drive the users, report."""
    fake = LoadFake(args.token, latency=args.latency)
    port = await fake.start("127.0.0.1", 0)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"PORT {port}", flush=True)
    try:
        await asyncio.wait_for(fake.polled.wait(), args.ready_timeout)
    except TimeoutError:
        print("RESULT " + json.dumps({"error": "the bot never polled"}), flush=True)
        await fake.stop()
        return 1
    await asyncio.sleep(0.3)  # let the bot finish start-up calls
    steps = CONVERSATION[: args.steps] + ([OPEN_OPTIONS] if args.open_options else [])
    stats = Stats()
    rng = random.Random(args.seed)
    cpu0 = cpu_seconds()
    start = time.monotonic()
    stats.first_queued = start
    deadline = start + args.deadline
    print(f"START {time.time():.3f}", flush=True)
    first = 10_000_001
    users = [
        asyncio.create_task(
            user(
                fake,
                first + i,
                answers_of(first + i, steps, args.same_answers),
                stats,
                deadline,
                args.think,
                random.Random(rng.random()),
            )
        )
        for i in range(args.users)
    ]
    driving = asyncio.ensure_future(asyncio.gather(*users))
    stopper = asyncio.ensure_future(stop.wait())
    await asyncio.wait({driving, stopper}, return_when=asyncio.FIRST_COMPLETED)
    for task in users:
        task.cancel()
    await asyncio.gather(*users, return_exceptions=True)
    done_at = time.monotonic()
    print(f"DONE {time.time():.3f}", flush=True)
    # Drain: wait (bounded) until the bot sent nothing for a while (charts, trailing replies).
    drain_limit = time.monotonic() + args.drain
    while time.monotonic() < drain_limit and time.monotonic() - fake.last_send_at < 1.0:
        await asyncio.sleep(0.1)
    cpu1 = cpu_seconds()
    wall = max(stats.last_reply - start, 1e-9)
    answered = len(stats.latencies)
    result: JSON = {
        "users": args.users,
        "latency_s": args.latency,
        "think_s": args.think,
        "same_answers": args.same_answers,
        "steps": len(steps),
        "updates_sent": stats.updates,
        "updates_answered": answered,
        "unanswered_at_deadline": stats.unanswered + stats.stopped_early,
        "completed": stats.completed,
        "wall_s": round(wall, 3),
        "run_s": round(done_at - start, 3),
        "updates_per_s": round(answered / wall, 1),
        "p50_ms": round(percentile(stats.latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(stats.latencies, 99) * 1000, 1),
        "max_ms": round(max(stats.latencies, default=0) * 1000, 1),
        "p50_p99_ms_by_step": [
            [round(percentile(stats.by_step.get(i, []), q) * 1000) for q in (50, 99)]
            for i in range(len(steps))
        ],
        "replies_per_chat": dict(Counter(fake.sent_counts.values()).most_common(5)),
        "photos": sum(fake.photos.values()),
        "calls": dict(fake.call_counts),
        "error_answers": len(fake.errors),
        "errors_sample": [list(e) for e in fake.errors[:5]],
        "fake_cpu_s": round(cpu1 - cpu0, 2),
        "fake_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print("RESULT " + json.dumps(result), flush=True)
    if not stop.is_set():
        await asyncio.wait_for(stop.wait(), args.linger)
    await fake.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """CLI."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per call")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between answers")
    parser.add_argument(
        "--same-answers", action="store_true", help="every user gives the same balance"
    )
    parser.add_argument("--steps", type=int, default=len(CONVERSATION))
    parser.add_argument(
        "--open-options", action="store_true", help="then tap the answer's options (the chart)"
    )
    parser.add_argument("--deadline", type=float, default=600.0, help="stop the users after")
    parser.add_argument("--drain", type=float, default=30.0)
    parser.add_argument("--linger", type=float, default=120.0, help="serve after RESULT")
    parser.add_argument("--ready-timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args))
    except TimeoutError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
