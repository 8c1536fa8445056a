"""Waiting for a purchase order invoicing is about to learn of: woken when it is stored, read
again on an interval, given up at the deadline, bounded in how many wait; the create use case
answers 404 only after the wait, with nothing held while it waits."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from typing import Any, Self
from uuid import UUID

import pytest

from invoicing.adapters.arrivals import PurchaseOrderArrivals
from invoicing.domain.errors import PurchaseOrderNotFound, PurchaseOrderNotHereYet
from invoicing.service import commands
from invoicing.service.purchase_order_wait import PurchaseOrderWait
from shared.auth import Principal

PO_ID = uuid.uuid4()


class Stored:
    """The read model as the waiter sees it: ``here`` flips when the order "arrives"."""

    def __init__(self) -> None:
        self.here = False
        self.reads = 0

    async def __call__(self) -> bool:
        self.reads += 1
        return self.here


def waiting(arrivals: PurchaseOrderArrivals, *, timeout_s: float, poll_s: float = 30.0, waiters: int = 8) -> Any:
    return PurchaseOrderWait(arrivals, timeout_s=timeout_s, poll_interval_s=poll_s, max_waiters=waiters)


async def arrive_later(arrivals: PurchaseOrderArrivals, stored: Stored, after_s: float, *, announce: bool) -> None:
    await asyncio.sleep(after_s)
    stored.here = True
    if announce:
        arrivals.announce([PO_ID])


async def test_a_waiter_is_woken_as_soon_as_its_order_is_announced_long_before_reading_again() -> None:
    arrivals, stored = PurchaseOrderArrivals(), Stored()
    wait = waiting(arrivals, timeout_s=30, poll_s=30)
    started = time.monotonic()
    arriving = asyncio.create_task(arrive_later(arrivals, stored, 0.02, announce=True))

    assert await wait.until_stored(PO_ID, stored)
    assert time.monotonic() - started < 1
    assert stored.reads == 2  # before waiting, and once woken
    assert arrivals.waiting == 0
    await arriving


async def test_another_orders_announcement_does_not_end_the_wait() -> None:
    arrivals, stored = PurchaseOrderArrivals(), Stored()
    wait = waiting(arrivals, timeout_s=0.1, poll_s=30)
    asyncio.get_running_loop().call_later(0.02, arrivals.announce, [uuid.uuid4()])

    assert not await wait.until_stored(PO_ID, stored)
    assert stored.reads == 2


async def test_an_order_another_instance_stored_is_seen_by_reading_again_on_the_interval() -> None:
    arrivals, stored = PurchaseOrderArrivals(), Stored()
    wait = waiting(arrivals, timeout_s=30, poll_s=0.02)
    started = time.monotonic()
    arriving = asyncio.create_task(arrive_later(arrivals, stored, 0.05, announce=False))

    assert await wait.until_stored(PO_ID, stored)
    assert time.monotonic() - started < 1
    await arriving


async def test_the_wait_gives_up_at_the_deadline() -> None:
    arrivals, stored = PurchaseOrderArrivals(), Stored()
    wait = waiting(arrivals, timeout_s=0.1, poll_s=30)
    started = time.monotonic()

    assert not await wait.until_stored(PO_ID, stored)
    took = time.monotonic() - started
    assert 0.1 <= took < 1
    assert stored.reads == 2  # before waiting, and at the deadline
    assert arrivals.waiting == 0


async def test_no_wait_when_it_is_switched_off() -> None:
    stored = Stored()
    assert not await waiting(PurchaseOrderArrivals(), timeout_s=0).until_stored(PO_ID, stored)
    assert stored.reads == 0


async def test_one_waiter_more_than_the_bound_is_told_to_come_back_and_the_place_frees_after() -> None:
    arrivals = PurchaseOrderArrivals()
    wait = waiting(arrivals, timeout_s=30, poll_s=30, waiters=1)
    first = Stored()
    waiting_one = asyncio.create_task(wait.until_stored(PO_ID, first))
    await asyncio.sleep(0.01)

    with pytest.raises(PurchaseOrderNotHereYet) as refused:
        await wait.until_stored(uuid.uuid4(), Stored())
    assert (refused.value.status, refused.value.retry_after_s) == (503, 1)

    first.here = True
    arrivals.announce([PO_ID])
    assert await waiting_one
    second = Stored()
    second.here = True
    assert await wait.until_stored(uuid.uuid4(), second)


async def test_several_waiters_for_one_order_are_all_woken() -> None:
    arrivals, stored = PurchaseOrderArrivals(), Stored()
    wait = waiting(arrivals, timeout_s=30, poll_s=30)
    waiters = [asyncio.create_task(wait.until_stored(PO_ID, stored)) for _ in range(3)]
    await asyncio.sleep(0.01)
    await arrive_later(arrivals, stored, 0, announce=True)

    assert await asyncio.wait_for(asyncio.gather(*waiters), 1) == [True, True, True]


class NoOrderUnitOfWork:
    """The create use case's unit of work when the read model holds no order of the caller's:
    records how deep it is entered whenever the order is looked for."""

    def __init__(self, *, someone_elses: bool = False) -> None:
        self.depth = 0
        self.depths_when_read: list[int] = []
        self.purchase_orders = self
        self.drafts = self
        self._someone_elses = someone_elses

    async def __aenter__(self) -> Self:
        self.depth += 1
        return self

    async def __aexit__(self, *_: object) -> None:
        self.depth -= 1

    async def basis(self, _id: UUID, *, scope: Principal, number: str, claimed: bool) -> Any:
        self.depths_when_read.append(self.depth)
        raise PurchaseOrderNotFound()

    async def exists(self, _id: UUID) -> bool:
        self.depths_when_read.append(self.depth)
        return self._someone_elses


SUPPLIER = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({uuid.uuid4()}))


async def create(uow: NoOrderUnitOfWork, wait: PurchaseOrderWait) -> None:
    await commands.create_invoice(
        uow,  # type: ignore[arg-type]
        SUPPLIER,
        purchase_order_id=PO_ID,
        number="INV-1",
        issue_date=date(2026, 3, 1),
        lines=None,
        arrival=wait,
    )


async def test_an_order_that_never_comes_is_not_found_after_the_wait_with_no_transaction_held_meanwhile() -> None:
    uow = NoOrderUnitOfWork()
    started = time.monotonic()
    with pytest.raises(PurchaseOrderNotFound):
        await create(uow, waiting(PurchaseOrderArrivals(), timeout_s=0.1, poll_s=0.03))
    assert time.monotonic() - started >= 0.1
    # Every read in a unit of work of its own: none was left open across the wait.
    assert len(uow.depths_when_read) >= 3
    assert set(uow.depths_when_read) == {1}


async def test_someone_elses_order_is_not_found_at_once_without_waiting() -> None:
    uow = NoOrderUnitOfWork(someone_elses=True)
    started = time.monotonic()
    with pytest.raises(PurchaseOrderNotFound):
        await create(uow, waiting(PurchaseOrderArrivals(), timeout_s=30, poll_s=30))
    assert time.monotonic() - started < 1
