"""What the gateway last found of a token's standing is kept a moment, and never past a change."""

from __future__ import annotations

import asyncio

import pytest

from gateway.adapters.standing_cache import StandingCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_kept_until_its_time_runs_out() -> None:
    clock = Clock()
    cache: StandingCache[str] = StandingCache(ttl_s=1.0, clock=clock)
    cache.put("token", "standing", read_in_epoch=cache.epoch)
    clock.now += 0.9
    assert cache.get("token") == "standing"
    clock.now += 0.2
    assert cache.get("token") is None


def test_a_change_committed_here_empties_the_cache_at_once() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=60.0)
    cache.put("token", "standing", read_in_epoch=cache.epoch)
    cache.changed()
    assert cache.get("token") is None


def test_an_answer_read_before_a_change_is_not_kept() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=60.0)
    began = cache.epoch
    cache.changed()  # committed while the look-up was under way
    cache.put("token", "stale", read_in_epoch=began)
    assert cache.get("token") is None


def test_no_time_to_live_keeps_nothing() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=0)
    cache.put("token", "standing", read_in_epoch=cache.epoch)
    assert cache.get("token") is None


def test_a_full_cache_starts_again_rather_than_growing() -> None:
    cache: StandingCache[int] = StandingCache(ttl_s=60.0, max_entries=3)
    for n in range(4):
        cache.put(f"token-{n}", n, read_in_epoch=cache.epoch)
    assert cache.get("token-0") is None and cache.get("token-3") == 3


async def test_requests_that_miss_together_share_one_look_up() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=60.0)
    looked_up = 0
    release = asyncio.Event()

    async def look_up() -> str:
        nonlocal looked_up
        looked_up += 1
        await release.wait()
        return "standing"

    waiting = [asyncio.create_task(cache.find("token", look_up)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == ["standing"] * 5
    assert looked_up == 1
    assert await cache.find("token", look_up) == "standing" and looked_up == 1  # kept


async def test_a_request_after_a_change_does_not_join_a_look_up_begun_before_it() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=60.0)
    answers = iter(["before", "after"])
    release = asyncio.Event()

    async def look_up() -> str:
        answer = next(answers)
        await release.wait()
        return answer

    earlier = asyncio.create_task(cache.find("token", look_up))
    await asyncio.sleep(0)
    cache.changed()  # committed while the first look-up was under way
    later = asyncio.create_task(cache.find("token", look_up))
    await asyncio.sleep(0)
    release.set()
    assert (await earlier, await later) == ("before", "after")
    assert await cache.find("token", look_up) == "after"


async def test_a_caller_gone_away_leaves_the_look_up_to_the_others() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=60.0)
    release = asyncio.Event()

    async def look_up() -> str:
        await release.wait()
        return "standing"

    first = asyncio.create_task(cache.find("token", look_up))
    second = asyncio.create_task(cache.find("token", look_up))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert await second == "standing"


async def test_a_failed_look_up_is_not_kept() -> None:
    cache: StandingCache[str] = StandingCache(ttl_s=60.0)

    async def fails() -> str:
        raise ConnectionError("database gone")

    async def works() -> str:
        return "standing"

    with pytest.raises(ConnectionError):
        await cache.find("token", fails)
    assert await cache.find("token", works) == "standing"
