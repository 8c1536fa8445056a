"""Login throttling: how many failed sign-ins a window allows, and how long a blocked caller waits.

Failures are counted per account (the email) and per client IP over a sliding window. Once
``max_failures`` recent failures exist, further attempts are refused until the oldest of the
last ``max_failures`` leaves the window. A successful sign-in clears the account's failures;
successes are never counted, so a user signing in often is never limited.
Pure Python: no database or web imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LoginLimit:
    max_failures: int
    window: timedelta

    def since(self, now: datetime) -> datetime:
        """The start of the window that counts at ``now``."""
        return now - self.window

    def retry_after(self, failures: Iterable[datetime], now: datetime) -> int | None:
        """Seconds until another attempt is allowed (at least 1), or None when allowed now."""
        recent = sorted(at for at in failures if at > self.since(now))
        if self.max_failures <= 0 or len(recent) < self.max_failures:
            return None
        unblocked_at = recent[-self.max_failures] + self.window
        return max(1, math.ceil((unblocked_at - now).total_seconds()))
