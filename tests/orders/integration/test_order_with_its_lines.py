"""An order is read with its lines in one statement: the same lines as read apart, and, locked after
a writer of its lines, the lines that writer committed; the statements of an invoice event are
compiled once."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from orders.adapters.read_models import _STORED_WITH_THE_ORDERS_OTHERS
from orders.adapters.repository import (
    _IMMUTABLE,
    PurchaseOrderRepository,
    _line_rows,
    _lines_read_again,
    _order_by_id,
    _order_with_lines_saved,
)
from orders.adapters.tables import purchase_order_lines, purchase_orders
from portal_dev.testing import poll_until
from shared.db import make_session_factory, upsert
from shared.fields import values_of
from tests.orders.integration.support import OrdersService
from tests.orders.integration.test_invoiced_quantities import sent_order


def test_the_statements_of_an_invoice_event_are_compiled_once() -> None:
    """SQLAlchemy keeps a statement compiled by its cache key; one without compiles at every use."""
    loads = [_order_by_id(buyer=buyer, for_update=lock) for buyer in (None, True, False) for lock in (False, True)]
    save = _order_with_lines_saved(tuple(purchase_orders.c.keys()), tuple(purchase_order_lines.c.keys()))
    for statement in (_STORED_WITH_THE_ORDERS_OTHERS, *loads, save):
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


_ROWS_AS_STORED = text(
    "SELECT row_to_json(o)::text FROM purchase_orders o WHERE o.id = :id"
    " UNION ALL (SELECT row_to_json(l)::text FROM purchase_order_lines l WHERE l.purchase_order_id = :id"
    " ORDER BY l.line_no)"
)


async def test_an_order_saved_with_its_lines_in_one_statement_stores_what_two_statements_store(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    lines = [{"description": f"item {n}", "quantity": "1.50", "unit_price": "0.335", "sku": "S"} for n in range(5)]
    order_id = uuid.UUID(
        (await orders.create(orders.tokens.buyer(tenant), await orders.supplier(tenant), lines=lines))["id"]
    )
    async with make_session_factory(orders.runtime.engine)() as session:
        repository = PurchaseOrderRepository(session)
        order = await repository.get(order_id, scope=None, for_update=True)
        for n, line in enumerate(order.lines[1:], start=1):  # the first line stays as it is
            line.invoiced_quantity = Decimal("0.10") * n
            line.sku = None if n % 2 else "S-2"
            line.received_quantity = Decimal("1.500")
        order.revision += 1
        order.supplier_name = "Renamed"
        order.tenant_id = uuid.uuid4()  # never changed by a save

        savepoint = await session.begin_nested()
        values = values_of(
            purchase_orders.c.keys(), order, warnings=[warning.model_dump(mode="json") for warning in order.warnings]
        )
        await session.execute(upsert(purchase_orders, tuple(values), keep=_IMMUTABLE), values)
        changed = list(_line_rows(order.id, order.lines[1:]).values())
        await session.execute(upsert(purchase_order_lines, tuple(changed[0]), keep=("purchase_order_id",)), changed)
        plainly = (await session.execute(_ROWS_AS_STORED, {"id": order_id})).scalars().all()
        await savepoint.rollback()

        await repository.save(order)
        in_one = (await session.execute(_ROWS_AS_STORED, {"id": order_id})).scalars().all()
        await session.rollback()
    assert in_one == plainly
    assert len(in_one) == 6 and '"supplier_name":"Renamed"' in in_one[0] and '"received_quantity":1.500' in in_one[2]


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
