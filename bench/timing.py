"""What the pipeline and the floor measure alike: percentiles, open-loop schedules, windows.

Latencies are taken from each request's *scheduled* send time, not from when it was sent, so a
system that falls behind shows its queueing delay instead of hiding it (no coordinated
omission). Every clock is the machine's wall clock (``time.time()``): the services stamp their
events with it, the broker's records carry it, the mail sink's files keep it as their mtime.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")

PERCENTILES = (50, 95, 99)


def percentile(sorted_values: list[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0-100) of ``sorted_values`` (ascending, not empty)."""
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary_ms(seconds: Iterable[float]) -> dict[str, Any]:
    """p50/p95/p99/max in milliseconds of durations given in seconds, and how many there were."""
    values = sorted(seconds)
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    found: dict[str, Any] = {"count": len(values)}
    for q in PERCENTILES:
        found[f"p{q}"] = round(percentile(values, q) * 1000, 2)
    found["max"] = round(values[-1] * 1000, 2)
    return found


def schedule(rate_per_s: float, duration_s: float) -> list[float]:
    """Send offsets (seconds from the start) of an open loop at ``rate_per_s`` for ``duration_s``."""
    count = max(1, round(rate_per_s * duration_s))
    return [i / rate_per_s for i in range(count)]


async def open_loop(
    rate_per_s: float, duration_s: float, send: Callable[[int, float], Coroutine[Any, Any, None]]
) -> tuple[float, int]:
    """Call ``send(i, scheduled_wall_time)`` at each scheduled time without waiting for earlier
    calls to finish; returns the wall time of the start and how many calls were made."""
    loop = asyncio.get_running_loop()
    offsets = schedule(rate_per_s, duration_s)
    start_loop = loop.time() + 0.05
    start_wall = time.time() + 0.05
    tasks: list[asyncio.Task[None]] = []
    for i, offset in enumerate(offsets):
        delay = start_loop + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i, start_wall + offset)))
    await asyncio.gather(*tasks)
    return start_wall, len(offsets)


async def closed_loop(
    items: list[T], duration_s: float, clients: int, handle: Callable[[T], Awaitable[None]]
) -> tuple[float, float, bool]:
    """``clients`` each take the next of ``items`` (from the end), await ``handle`` on it and go on
    with the next, for ``duration_s`` or until the items run out: at most ``clients`` in hand.
    Returns the wall time of the start, that of the end of sending and whether they ran out."""
    queue = list(items)
    start = time.time()
    end = start + duration_s
    ran_out: list[float] = []

    async def client() -> None:
        while time.time() < end:
            if not queue:
                ran_out.append(time.time())
                return
            await handle(queue.pop())

    await asyncio.gather(*(client() for _ in range(clients)))
    return start, min([end, *ran_out]), bool(ran_out)


def rate_in_window(finish_times: Iterable[float], start: float, end: float) -> float:
    """Completions per second among ``finish_times`` that fall in ``[start, end)``."""
    if end <= start:
        return 0.0
    return sum(1 for t in finish_times if start <= t < end) / (end - start)


async def wait_for(probe: Callable[[], Awaitable[bool]], *, timeout_s: float, what: str) -> None:
    """Poll ``probe`` until it answers true; raise ``TimeoutError`` naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout_s:g}s")
        await asyncio.sleep(0.1)


def stretches(points: list[float | None]) -> list[float | None]:
    """The time between each two successive points of a trace; None where either was not seen."""
    return [b - a if a is not None and b is not None else None for a, b in itertools.pairwise(points)]


def tally(values: Iterable[object]) -> dict[str, int]:
    """How many times each value occurs, by its text (the statuses the invoices reached)."""
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts
