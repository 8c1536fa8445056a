"""Login throttling: how many failed sign-ins cost nothing, and how long each one beyond makes the
next attempt wait.

A limit counts failures of one key (an account from one address, an address across accounts, an
account across addresses) over a sliding window. The first ``free_failures`` in the window cost
nothing; from then on the next attempt waits ``first_delay`` after the latest failure, twice as
long for each further one, never more than ``max_delay``. Failures that leave the window stop
counting, so a key left alone is free again. Pure Python: no database or web imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LoginLimit:
    free_failures: int  # 0 switches the limit off
    window: timedelta
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)

    @property
    def enabled(self) -> bool:
        return self.free_failures > 0

    def since(self, now: datetime) -> datetime:
        """The start of the window that counts at ``now``."""
        return now - self.window

    def delay_after(self, failures: int) -> timedelta | None:
        """The wait after the latest of ``failures`` failures in the window (None: no wait)."""
        if not self.enabled or failures < self.free_failures:
            return None
        doublings = failures - self.free_failures
        if doublings >= 64 or self.first_delay * 2**doublings >= self.max_delay:
            return self.max_delay
        return self.first_delay * 2**doublings

    @property
    def counted(self) -> int:
        """How many of the latest failures decide the wait: beyond them it is at its cap."""
        if not self.enabled:
            return 0
        doublings = 0
        while doublings < 64 and self.first_delay * 2**doublings < self.max_delay:
            doublings += 1
        return self.free_failures + doublings + 1

    def blocked_at(self, failures: Sequence[datetime], moment: datetime) -> bool:
        """Whether an attempt at ``moment`` must wait, given the failures (sorted, oldest first)."""
        in_window = [at for at in failures if at > self.since(moment)]
        delay = self.delay_after(len(in_window))
        return delay is not None and moment < in_window[-1] + delay

    def retry_after(self, failures: Iterable[datetime], now: datetime) -> int | None:
        """Seconds until another attempt is allowed (at least 1), or None when allowed now."""
        recent = sorted(at for at in failures if at > self.since(now))
        if not self.blocked_at(recent, now):
            return None
        # The wait ends when the delay of the failures still counted has passed after the latest
        # one, or when enough of them left the window: the earliest such moment is one of these.
        candidates = [recent[-1] + (self.delay_after(n) or timedelta(0)) for n in range(1, len(recent) + 1)]
        candidates += [at + self.window for at in recent]
        unblocked_at = min(t for t in candidates if t > now and not self.blocked_at(recent, t))
        return max(1, math.ceil((unblocked_at - now).total_seconds()))
