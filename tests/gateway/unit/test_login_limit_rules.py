"""The sliding window of failed sign-ins: when an account or address is blocked, and for how long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.throttling import LoginLimit
from gateway.service.login_throttle import LoginLimits

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LIMIT = LoginLimit(max_failures=5, window=timedelta(minutes=15))


def _ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_fewer_failures_than_the_limit_are_allowed() -> None:
    assert LIMIT.retry_after(_ago(10, 20, 30, 40), NOW) is None
    assert LIMIT.retry_after([], NOW) is None


def test_the_fifth_recent_failure_blocks_until_the_oldest_of_them_leaves_the_window() -> None:
    # The oldest counted failure was 600 s ago: it leaves the 900 s window in 300 s.
    assert LIMIT.retry_after(_ago(600, 400, 300, 200, 100), NOW) == 300


def test_failures_outside_the_window_do_not_count() -> None:
    assert LIMIT.retry_after(_ago(900, 1000, 2000, 10, 20), NOW) is None


def test_with_more_failures_than_the_limit_the_wait_follows_the_latest_ones() -> None:
    # Six failures: the block lasts until only four remain, i.e. the second oldest leaves.
    assert LIMIT.retry_after(_ago(800, 700, 50, 40, 30, 20), NOW) == 200


def test_the_wait_is_at_least_one_second() -> None:
    assert LIMIT.retry_after(_ago(899.9, 5, 4, 3, 2), NOW) == 1


def test_a_limit_of_zero_never_blocks() -> None:
    assert LoginLimit(0, timedelta(minutes=15)).retry_after(_ago(1, 2, 3), NOW) is None


@given(st.lists(st.floats(min_value=0, max_value=3000, allow_nan=False), max_size=30))
def test_blocked_exactly_when_the_window_holds_enough_failures_and_never_longer_than_it(ages: list[float]) -> None:
    wait = LIMIT.retry_after(_ago(*ages), NOW)
    recent = [a for a in ages if a < 900]
    assert (wait is not None) == (len(recent) >= LIMIT.max_failures)
    if wait is not None:
        assert 1 <= wait <= 900
        # Once the wait is over, the window no longer holds enough failures.
        assert LIMIT.retry_after(_ago(*ages), NOW + timedelta(seconds=wait)) is None


def test_accounts_are_keyed_by_normalised_email_and_addresses_only_when_known() -> None:
    limits = LoginLimits.of(per_account=5, per_ip=50, window_s=900)
    assert [(s, k) for s, k, _ in limits.scopes(" Admin@Buyer.Example ", "203.0.113.9")] == [
        ("account", "admin@buyer.example"),
        ("ip", "203.0.113.9"),
    ]
    assert [s for s, _, _ in limits.scopes("a@x.example", None)] == ["account"]
