"""What the gateway last found of a token's standing is kept a moment, and never past a change."""

from __future__ import annotations

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
