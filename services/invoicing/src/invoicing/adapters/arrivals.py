"""Word, inside this process, that purchase orders reached the read model.

A supplier sees a purchase order in the orders service before its event has reached this
service's read model; a request for it may then be waiting here (``service.purchase_order_wait``).
The purchase order consumer marks the orders it stores on its session; when that session's
transaction commits (the outermost commit: for a consumer's batch, the batch's), every waiter
for one of them is woken to read it again. A transaction that rolls back wakes nobody, and a
waiter woken for a row that is not there after all just waits on.

Only this process hears of it: another instance's consumer storing the order wakes nobody here,
which is why waiters also read again on an interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

# The session's ``info`` key for the orders its transaction stored.
_STORED = "invoicing.purchase_orders_stored"


class PurchaseOrderArrivals:
    def __init__(self) -> None:
        # One event per waiting request: a waiter clears its own without hiding a wake from another.
        self._waiting: dict[UUID, set[asyncio.Event]] = {}

    @contextmanager
    def watch(self, purchase_order_id: UUID) -> Iterator[asyncio.Event]:
        """An event set whenever ``purchase_order_id`` is stored, for as long as the block runs."""
        arrived = asyncio.Event()
        self._waiting.setdefault(purchase_order_id, set()).add(arrived)
        try:
            yield arrived
        finally:
            waiters = self._waiting.get(purchase_order_id)
            if waiters is not None:
                waiters.discard(arrived)
                if not waiters:
                    del self._waiting[purchase_order_id]

    @property
    def waiting(self) -> int:
        return sum(len(waiters) for waiters in self._waiting.values())

    def announce(self, purchase_order_ids: Iterable[UUID]) -> None:
        for purchase_order_id in purchase_order_ids:
            for arrived in self._waiting.get(purchase_order_id, ()):
                arrived.set()

    def announce_after_commit(self, session: AsyncSession, purchase_order_id: UUID) -> None:
        """Wake the waiters for ``purchase_order_id`` once ``session``'s transaction commits."""
        sync_session = session.sync_session
        stored: set[UUID] | None = sync_session.info.get(_STORED)
        if stored is None:
            stored = sync_session.info[_STORED] = set()
            event.listen(sync_session, "after_commit", self._after_commit)
            event.listen(sync_session, "after_transaction_end", _forget_at_the_end)
        stored.add(purchase_order_id)

    def _after_commit(self, sync_session: Session) -> None:
        # A savepoint's release is a commit too: only the outermost one makes the rows visible.
        # Called in the event loop's thread (SQLAlchemy's asyncio bridge runs the commit there).
        if not sync_session.in_nested_transaction():
            stored: set[UUID] = sync_session.info[_STORED]
            self.announce(stored)
            stored.clear()


def _forget_at_the_end(sync_session: Session, transaction: SessionTransaction) -> None:
    """What a rolled back transaction stored never arrived; a committed one was announced."""
    if transaction.parent is None:
        sync_session.info[_STORED].clear()
