"""An invoice asked for on a purchase order whose event is still on its way: the request waits
for the real consumer to store it instead of answering 404; the consumer's commit (not a
savepoint's, not a rollback) is what wakes it."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from sqlalchemy import text

from invoicing.adapters.arrivals import PurchaseOrderArrivals
from invoicing.service.purchase_order_wait import PurchaseOrderWait
from portal_dev.testing import poll_until
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, publish, purchase_order

# A long wait, and reading again only after it: what ends the wait in time is the consumer's word.
WOKEN_ONLY_BY_THE_CONSUMER = {"purchase_order_wait_s": 20.0, "purchase_order_wait_poll_s": 60.0}


def wait_of(service: Service) -> PurchaseOrderWait:
    wait: PurchaseOrderWait = service.runtime.app.state.purchase_order_wait
    return wait


@pytest.mark.parametrize("service_settings", [WOKEN_ONLY_BY_THE_CONSUMER])
async def test_an_invoice_asked_for_before_its_purchase_order_arrives_is_created_as_soon_as_it_does(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": "INV-EARLY"}
    asked = asyncio.create_task(service.client.post("/api/v1/invoices", json=body, headers=parties.supplier))
    await poll_until(lambda: wait_of(service).waiting == 1, what="the request waiting for the order")

    published = time.monotonic()
    await publish(service.producer, po)
    created = await asked

    assert created.status_code == 201, created.text
    assert created.json()["purchase_order_id"] == str(po.purchase_order_id)
    assert time.monotonic() - published < 10
    assert wait_of(service).waiting == 0


async def test_an_invoice_created_right_after_the_purchase_order_event_is_published(
    service: Service, parties: Parties
) -> None:
    orders = [purchase_order(parties) for _ in range(5)]
    for po in orders:
        await publish(service.producer, po)
    answers = await asyncio.gather(
        *(
            service.client.post(
                "/api/v1/invoices",
                json={"purchase_order_id": str(po.purchase_order_id), "number": f"INV-{n}"},
                headers=parties.supplier,
            )
            for n, po in enumerate(orders)
        )
    )
    assert [answer.status_code for answer in answers] == [201] * len(orders), [a.text for a in answers]


async def test_only_the_outermost_commit_of_the_storing_transaction_wakes_the_waiters(service: Service) -> None:
    arrivals = PurchaseOrderArrivals()
    committed, rolled_back = uuid.uuid4(), uuid.uuid4()
    with arrivals.watch(committed) as committed_arrived, arrivals.watch(rolled_back) as rolled_back_arrived:
        async with service.runtime.session_factory() as session:
            await session.execute(text("SELECT 1"))
            savepoint = await session.begin_nested()
            arrivals.announce_after_commit(session, committed)
            await savepoint.commit()
            assert not committed_arrived.is_set()
            await session.commit()
            assert committed_arrived.is_set()

            await session.execute(text("SELECT 1"))
            arrivals.announce_after_commit(session, rolled_back)
            await session.rollback()
            await session.execute(text("SELECT 1"))
            await session.commit()  # the same session's next transaction stored nothing
            assert not rolled_back_arrived.is_set()
