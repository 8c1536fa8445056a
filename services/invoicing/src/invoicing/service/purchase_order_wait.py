"""Waiting a moment for a purchase order this service is about to learn of.

The supplier sees a purchase order in the orders service as soon as it is sent; this service
learns of it from the order's event a little later (milliseconds when idle, more under load).
A client that creates an invoice on an order it has just seen must not hear "not found" for
that: on a miss, the request waits for the order to arrive, then answers 404 only if it did not.

- Woken early: the purchase order consumer of this process wakes the waiters for an order once
  the transaction that stored it commits (``adapters.arrivals``). Waiters also read again every
  ``poll_interval_s``, to see an order that another instance of the service stored.
- Bounded: at most ``timeout_s`` (``INVOICING_PURCHASE_ORDER_WAIT_S``), then 404: an order that
  has not arrived by then is taken not to exist. Nothing is held meanwhile: no database
  connection or transaction, each read again is a short transaction of its own.
- Not a way to tie the server up: an unknown id costs its caller the whole wait, so at most
  ``max_waiters`` requests of this process wait at once (``INVOICING_PURCHASE_ORDER_WAITERS``);
  one more answers 503 with Retry-After at once, which a client retries, rather than a 404 it
  would believe. The bound also keeps the waiting requests well below the gateway's connections
  to the services.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from uuid import UUID

from invoicing.adapters.arrivals import PurchaseOrderArrivals
from invoicing.domain.errors import PurchaseOrderNotHereYet

# What a request that found every waiting place taken is told to wait before it asks again.
RETRY_AFTER_S = 1


class PurchaseOrderWait:
    def __init__(
        self, arrivals: PurchaseOrderArrivals, *, timeout_s: float, poll_interval_s: float, max_waiters: int
    ) -> None:
        self._arrivals = arrivals
        self._timeout_s = timeout_s
        self._poll_interval_s = poll_interval_s
        self._max_waiters = max_waiters
        self._waiters = 0

    @property
    def waiting(self) -> int:
        """How many requests are waiting now."""
        return self._waiters

    async def until_stored(self, purchase_order_id: UUID, stored: Callable[[], Awaitable[bool]]) -> bool:
        """Whether ``stored()`` says the order is there, asked again whenever it may have arrived,
        within the wait; False when the wait ran out first.

        Raises ``PurchaseOrderNotHereYet`` when too many requests are waiting already."""
        if self._timeout_s <= 0:
            return False
        if self._waiters >= self._max_waiters:
            raise PurchaseOrderNotHereYet(retry_after_s=RETRY_AFTER_S)
        self._waiters += 1
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self._timeout_s
            # Watching before the first read: an order stored in between still wakes this waiter.
            with self._arrivals.watch(purchase_order_id) as arrived:
                while not await stored():
                    left = deadline - loop.time()
                    if left <= 0:
                        return False
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(min(left, self._poll_interval_s)):
                            await arrived.wait()
                    # Cleared before reading again: a commit after this read wakes the next wait.
                    arrived.clear()
                return True
        finally:
            self._waiters -= 1
