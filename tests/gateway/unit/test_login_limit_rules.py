"""The rules of failed sign-ins: a few cost nothing, each one beyond makes the next attempt wait
twice as long (capped), and failures that left the window stop counting; which keys an attempt
counts under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.throttling import LoginLimit
from gateway.service.login_throttle import LoginLimits

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LIMIT = LoginLimit(
    free_failures=5, window=timedelta(minutes=15), first_delay=timedelta(seconds=2), max_delay=timedelta(minutes=5)
)


def _ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_the_free_failures_cost_no_wait() -> None:
    assert LIMIT.retry_after(_ago(10, 20, 30, 40), NOW) is None
    assert LIMIT.retry_after([], NOW) is None


def test_the_wait_after_the_free_failures_doubles_with_each_further_one() -> None:
    assert [LIMIT.delay_after(n) for n in (4, 5, 6, 7, 8)] == [
        None,
        timedelta(seconds=2),
        timedelta(seconds=4),
        timedelta(seconds=8),
        timedelta(seconds=16),
    ]


def test_the_wait_never_exceeds_its_cap() -> None:
    assert LIMIT.delay_after(12) == timedelta(seconds=256)
    assert LIMIT.delay_after(13) == timedelta(minutes=5)
    assert LIMIT.delay_after(10_000) == timedelta(minutes=5)
    # Enough of the latest failures are read to know the capped wait.
    assert LIMIT.delay_after(LIMIT.counted) == LIMIT.max_delay


def test_a_failure_beyond_the_free_ones_makes_the_next_attempt_wait_from_the_latest() -> None:
    # Seven failures, the latest 1 s ago: the wait after seven is 8 s, 7 of them left.
    assert LIMIT.retry_after(_ago(60, 50, 40, 30, 20, 10, 1), NOW) == 7
    # Once the wait has passed, one more attempt is allowed.
    assert LIMIT.retry_after(_ago(60, 50, 40, 30, 20, 10, 9), NOW) is None


def test_failures_outside_the_window_do_not_count() -> None:
    assert LIMIT.retry_after(_ago(900, 1000, 2000, 3, 2), NOW) is None


def test_the_wait_ends_early_when_enough_failures_leave_the_window() -> None:
    # Capped at 300 s after the latest, but the oldest counted leaves the window in 100 s, and
    # the four that remain are free.
    limit = LoginLimit(5, timedelta(minutes=15), timedelta(seconds=300), timedelta(seconds=300))
    assert limit.retry_after(_ago(800, 5, 4, 3, 2), NOW) == 100


def test_the_wait_is_at_least_one_second() -> None:
    assert LIMIT.retry_after(_ago(50, 40, 30, 20, 1.9), NOW) == 1


def test_a_limit_of_zero_never_blocks() -> None:
    assert LoginLimit(0, timedelta(minutes=15)).retry_after(_ago(1, 2, 3), NOW) is None


@given(
    st.lists(st.floats(min_value=0, max_value=3000, allow_nan=False), max_size=30),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=400),
)
def test_the_wait_is_exactly_as_long_as_the_block(ages: list[float], free: int, first_s: int) -> None:
    limit = LoginLimit(free, timedelta(minutes=15), timedelta(seconds=first_s), timedelta(minutes=5))
    failures = _ago(*ages)
    recent = sorted(at for at in failures if at > limit.since(NOW))
    wait = limit.retry_after(failures, NOW)
    assert (wait is not None) == limit.blocked_at(recent, NOW)
    if wait is not None:
        assert 1 <= wait <= 300
        assert not limit.blocked_at(recent, NOW + timedelta(seconds=wait))
        if wait > 1:
            assert limit.blocked_at(recent, NOW + timedelta(seconds=wait - 1))


@given(st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=40))
def test_each_failure_makes_the_wait_after_it_at_least_as_long(free: int, extra: int) -> None:
    limit = LoginLimit(free, timedelta(hours=1), timedelta(seconds=1), timedelta(minutes=15))
    failures = free + extra
    assert (limit.delay_after(failures + 1) or timedelta(0)) >= (limit.delay_after(failures) or timedelta(0))
    assert (limit.delay_after(failures) or timedelta(0)) <= limit.max_delay


def test_an_attempt_counts_for_the_account_from_its_address_the_address_and_the_account() -> None:
    limits = LoginLimits.of(per_account_and_ip=5, per_ip=50, per_account=100, window_s=900)
    assert [(s, k) for s, k, _ in limits.scopes(" Admin@Buyer.Example ", "203.0.113.9")] == [
        ("account-ip", "203.0.113.9 admin@buyer.example"),
        ("ip", "203.0.113.9"),
        ("account", "admin@buyer.example"),
    ]
    # An attempt with no known address counts as from one address of its own.
    assert next(k for _, k, _ in limits.scopes("a@x.example", None)) == "- a@x.example"


def test_a_limit_switched_off_counts_nothing() -> None:
    limits = LoginLimits.of(per_account_and_ip=5, per_ip=0, per_account=0, window_s=900)
    assert [s for s, _, _ in limits.scopes("a@x.example", "203.0.113.9")] == ["account-ip"]
