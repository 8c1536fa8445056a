"""What the gateway last found of a token's standing, kept a moment in this process.

Restating a token costs a database round trip per request. A client sends the same token
request after request, and the standing of a token changes only when the gateway itself
records a change (a sign-out, a user switched off or on, a new password, a supplier's portal,
an organisation's switch), so the answer is kept:

- Every such change, once its transaction commits in this process, empties the whole cache
  (changes are rare; an epoch counter makes it one increment). A look-up that began before the
  change is not kept, so no answer older than the change survives it here.
- Another instance of the gateway hears of no change made elsewhere: there an answer lives at
  most ``ttl_s`` (``GATEWAY_TOKEN_STANDING_TTL_S``, 1 s; 0 turns the cache off), the longest a
  change made through one instance takes to reach requests answered by another.
- Requests that miss while a look-up of the same token is under way wait for its answer rather
  than each making their own (``find``): a client's concurrent requests all missed at once when
  the answer ran out, one database round trip each. A look-up is joined only in the epoch it
  began in: a request that arrives after a change committed here makes a look-up of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

T = TypeVar("T")
_WATCHED = "gateway.standing_changes"


class StandingCache(Generic[T]):
    def __init__(self, *, ttl_s: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._epoch = 0
        self._entries: dict[str, tuple[T, int, float]] = {}
        self._pending: dict[str, asyncio.Future[T]] = {}  # look-ups under way, begun in this epoch

    @property
    def epoch(self) -> int:
        return self._epoch

    def get(self, token: str) -> T | None:
        found = self._entries.get(token)
        if found is None:
            return None
        value, epoch, expires_at = found
        if epoch != self._epoch or self._clock() >= expires_at:
            del self._entries[token]
            return None
        return value

    def put(self, token: str, value: T, *, read_in_epoch: int) -> None:
        """Keep ``value`` unless a change committed since the look-up that found it began."""
        if self.ttl_s <= 0 or read_in_epoch != self._epoch:
            return
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[token] = (value, read_in_epoch, self._clock() + self.ttl_s)

    async def find(self, token: str, look_up: Callable[[], Awaitable[T]]) -> T:
        """The kept answer for ``token``, or ``look_up``'s, shared with every request for the
        same token that misses while it runs. The look-up runs in a task of its own, so a caller
        that goes away (cancelled) does not take the answer from the others."""
        found = self.get(token)
        if found is not None:
            return found
        if self.ttl_s <= 0:
            return await look_up()
        pending = self._pending.get(token)
        if pending is None:
            pending = asyncio.ensure_future(self._look_up(token, look_up, self._epoch))
            self._pending[token] = pending
        return await asyncio.shield(pending)

    async def _look_up(self, token: str, look_up: Callable[[], Awaitable[T]], epoch: int) -> T:
        try:
            value = await look_up()
        finally:
            if epoch == self._epoch:
                self._pending.pop(token, None)
        self.put(token, value, read_in_epoch=epoch)
        return value

    def changed(self) -> None:
        self._epoch += 1
        self._entries.clear()
        self._pending.clear()  # a request from now on looks up afresh; those waiting keep theirs


# The process's cache: the middleware reads it, every unit of work that changes a standing empties it.
STANDING: StandingCache[object] = StandingCache(ttl_s=1.0)


def forget_after_commit(session: AsyncSession) -> None:
    """Empty the cache once ``session``'s transaction commits (the outermost commit, should a
    savepoint ever be released in it)."""
    sync_session = session.sync_session
    if not sync_session.info.get(_WATCHED):
        sync_session.info[_WATCHED] = True
        event.listen(sync_session, "after_commit", _changed)


def _changed(sync_session: Session) -> None:
    if not sync_session.in_nested_transaction():
        STANDING.changed()
