"""An order is read with its lines in one statement: the same lines as read apart, and, locked after
a writer of its lines, the lines that writer committed; the statements of an invoice event are
compiled once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import text

from orders.adapters.read_models import _STORED_WITH_THE_ORDERS_OTHERS
from orders.adapters.repository import PurchaseOrderRepository, _lines_read_again, _order_by_id
from portal_dev.testing import poll_until
from shared.db import make_session_factory
from tests.orders.integration.support import OrdersService
from tests.orders.integration.test_invoiced_quantities import sent_order


def test_the_statements_of_an_invoice_event_are_compiled_once() -> None:
    """SQLAlchemy keeps a statement compiled by its cache key; one without compiles at every use."""
    loads = [_order_by_id(buyer=buyer, for_update=lock) for buyer in (None, True, False) for lock in (False, True)]
    for statement in (_STORED_WITH_THE_ORDERS_OTHERS, *loads):
        assert statement._generate_cache_key() is not None


def _as_stored(lines: list[Any]) -> list[str]:
    # repr, not ==: Decimal("1.50") == Decimal("1.5"), but the order's save tells them apart.
    return [repr(vars(line)) for line in lines]


async def test_an_order_read_with_its_lines_has_the_lines_read_apart(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    awkward = [
        {"description": f"item {n}", "quantity": quantity, "unit_price": price, **extra}
        for n, (quantity, price, extra) in enumerate(
            [
                ("1.50", "0.335", {"sku": "S-1", "unit": "kg"}),
                ("10", "5.00", {}),
                ("0.001", "1000000.10", {"sku": "S-3"}),
            ]
            * 4,
            start=1,
        )
    ]
    order = await orders.create(buyer, await orders.supplier(tenant), lines=awkward)
    order_id = uuid.UUID(order["id"])
    async with make_session_factory(orders.runtime.engine)() as session:
        apart = await _lines_read_again(session, order_id)
        assert [line.line_no for line in apart] == list(range(1, 13))
        for for_update in (False, True):
            read = await PurchaseOrderRepository(session).get(order_id, scope=None, for_update=for_update)
            assert _as_stored(read.lines) == _as_stored(apart)
        await session.execute(text("DELETE FROM purchase_order_lines WHERE purchase_order_id = :id"), {"id": order_id})
        for for_update in (False, True):
            read = await PurchaseOrderRepository(session).get(order_id, scope=None, for_update=for_update)
            assert read.lines == []
        await session.rollback()


async def test_an_order_locked_after_a_writer_of_its_lines_has_the_lines_that_writer_committed(
    orders: OrdersService,
) -> None:
    _, order = await sent_order(orders)
    order_id = uuid.UUID(order["id"])
    factory = make_session_factory(orders.runtime.engine)
    async with factory() as writer, factory() as reader:
        # A save of the order: its row and its lines, not committed yet.
        await writer.execute(
            text("UPDATE purchase_orders SET revision = revision + 1 WHERE id = :id"), {"id": order_id}
        )
        await writer.execute(
            text("UPDATE purchase_order_lines SET description = 'changed' WHERE purchase_order_id = :id"),
            {"id": order_id},
        )
        locking = asyncio.create_task(PurchaseOrderRepository(reader).get(order_id, scope=None, for_update=True))

        async def waiting() -> bool:
            # The activity's text is cut after 1 kB, before the statement's FOR UPDATE.
            found = await orders.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'SELECT purchase_orders.id, %'"
            )
            return bool(found)

        await poll_until(waiting, what="the order's lock to wait for the writer")
        await writer.commit()
        locked = await locking
        await reader.rollback()
    assert [line.description for line in locked.lines] == ["changed", "changed"]
    assert locked.revision == order["revision"] + 1
