"""Invoice events move the invoiced and remaining quantities and the invoicing statuses."""

from __future__ import annotations

import uuid
from typing import Any

from portal_dev.testing import poll_until
from shared.contracts.invoicing import InvoiceApproved, InvoiceCanceled, InvoiceRejected, InvoiceSubmitted
from tests.orders.integration.support import OrdersService, invoice_event

INVOICES = "orders.invoices"


async def sent_order(orders: OrdersService, *, acknowledge: bool = False) -> tuple[str, dict[str, Any]]:
    """A buyer token and an order (lines: 10 and 5) that the supplier has received."""
    tenant = uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant)
    order = await orders.create(buyer, supplier_id)
    order = (await orders.act(buyer, order["id"], "submit")).json()
    if acknowledge:
        order = (await orders.act(orders.tokens.supplier(supplier_id), order["id"], "acknowledge")).json()
    return buyer, order


async def state(orders: OrdersService, buyer: str, order: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    current = (await orders.get(buyer, order["id"])).json()
    return current["status"], [(x["invoiced_quantity"], x["remaining_quantity"]) for x in current["lines"]]


async def test_invoices_move_quantities_and_a_rejected_invoice_gives_its_quantity_back(orders: OrdersService) -> None:
    buyer, order = await sent_order(orders)
    tenant = uuid.UUID(order["tenant_id"])

    first = invoice_event(order, ["4"])
    await orders.handled(INVOICES, (await orders.publish_event(first, tenant)).id)
    assert await state(orders, buyer, order) == ("partially_invoiced", [("4", "6"), ("0", "5")])

    second = invoice_event(order, ["6", "5"])
    await orders.handled(INVOICES, (await orders.publish_event(second, tenant)).id)
    assert await state(orders, buyer, order) == ("fully_invoiced", [("10", "0"), ("5", "0")])

    approved = invoice_event(
        order,
        ["6", "5"],
        event=InvoiceApproved,
        status="approved",
        revision=2,
        invoice_id=second.invoice_id,
        auto_approved=True,
    )
    await orders.handled(INVOICES, (await orders.publish_event(approved, tenant)).id)
    assert (await state(orders, buyer, order))[0] == "fully_invoiced"

    rejected = invoice_event(
        order, ["6", "5"], event=InvoiceRejected, status="rejected", revision=3, invoice_id=second.invoice_id
    )
    await orders.handled(INVOICES, (await orders.publish_event(rejected, tenant)).id)
    assert await state(orders, buyer, order) == ("partially_invoiced", [("4", "6"), ("0", "5")])

    canceled = invoice_event(
        order, ["4"], event=InvoiceCanceled, status="canceled", revision=2, invoice_id=first.invoice_id
    )
    await orders.handled(INVOICES, (await orders.publish_event(canceled, tenant)).id)
    assert await state(orders, buyer, order) == ("sent", [("0", "10"), ("0", "5")])

    # Submitted, then four moves of the quantities (the approval moved nothing).
    events = await orders.events(5)
    assert [e["type"] for e in events] == ["PurchaseOrderSubmitted"] + ["PurchaseOrderInvoicingChanged"] * 4
    assert [e["data"]["status"] for e in events[1:]] == [
        "partially_invoiced",
        "fully_invoiced",
        "partially_invoiced",
        "sent",
    ]
    assert events[3]["data"]["lines"][1]["remaining_quantity"] == "5"


async def test_an_acknowledged_order_returns_to_acknowledged_when_its_invoices_drop_out(orders: OrdersService) -> None:
    buyer, order = await sent_order(orders, acknowledge=True)
    tenant = uuid.UUID(order["tenant_id"])
    invoice = invoice_event(order, ["10", "5"])
    await orders.handled(INVOICES, (await orders.publish_event(invoice, tenant)).id)
    assert (await state(orders, buyer, order))[0] == "fully_invoiced"

    rejected = invoice_event(
        order, ["10", "5"], event=InvoiceRejected, status="rejected", revision=2, invoice_id=invoice.invoice_id
    )
    await orders.handled(INVOICES, (await orders.publish_event(rejected, tenant)).id)
    assert await state(orders, buyer, order) == ("acknowledged", [("0", "10"), ("0", "5")])


async def test_an_older_invoice_revision_changes_nothing(orders: OrdersService) -> None:
    buyer, order = await sent_order(orders)
    tenant = uuid.UUID(order["tenant_id"])
    invoice_id = uuid.uuid4()
    rejected = invoice_event(order, ["4"], event=InvoiceRejected, status="rejected", revision=3, invoice_id=invoice_id)
    await orders.handled(INVOICES, (await orders.publish_event(rejected, tenant)).id)
    late_submission = invoice_event(order, ["4"], revision=1, invoice_id=invoice_id)
    await orders.handled(INVOICES, (await orders.publish_event(late_submission, tenant)).id)
    assert await state(orders, buyer, order) == ("sent", [("0", "10"), ("0", "5")])


async def test_the_same_invoice_event_delivered_twice_counts_once(orders: OrdersService) -> None:
    buyer, order = await sent_order(orders)
    tenant = uuid.UUID(order["tenant_id"])
    payload = invoice_event(order, ["4"])
    envelope = await orders.publish_event(payload, tenant)
    await orders.publish_envelope(envelope, payload)  # same envelope id: a redelivery
    # A later event of the same order (same key, same partition) proves both were consumed.
    marker = await orders.publish_event(invoice_event(order, [None, "1"]), tenant)
    await orders.handled(INVOICES, marker.id)

    assert await state(orders, buyer, order) == ("partially_invoiced", [("4", "6"), ("1", "4")])
    assert await orders.scalar("SELECT count(*) FROM inbox WHERE event_id = :e", e=envelope.id) == 1
    assert len(await orders.events(3)) == 3  # submitted + one change per distinct invoice


async def test_an_invoice_for_an_order_not_known_yet_is_retried_not_dropped(orders: OrdersService) -> None:
    _, order = await sent_order(orders)
    tenant = uuid.UUID(order["tenant_id"])
    unknown = {**order, "id": str(uuid.uuid4())}
    early = await orders.publish_event(invoice_event(unknown, ["1"]), tenant)
    consumer = next(c for c in orders.runtime.consumers if c.group == INVOICES)

    async def retried() -> bool:
        return bool(consumer.first_seen)

    await poll_until(retried, what="the invoice to be held for a retry")
    assert consumer.dead_lettered == 0
    assert await orders.scalar("SELECT count(*) FROM inbox WHERE event_id = :e", e=early.id) == 0


async def test_a_submitted_invoice_is_published_again_after_payment_without_moving_anything(
    orders: OrdersService,
) -> None:
    buyer, order = await sent_order(orders)
    tenant = uuid.UUID(order["tenant_id"])
    invoice = invoice_event(order, ["4"])
    await orders.handled(INVOICES, (await orders.publish_event(invoice, tenant)).id)
    paid = invoice_event(order, ["4"], event=InvoiceSubmitted, status="paid", revision=5, invoice_id=invoice.invoice_id)
    await orders.handled(INVOICES, (await orders.publish_event(paid, tenant)).id)
    assert await state(orders, buyer, order) == ("partially_invoiced", [("4", "6"), ("0", "5")])
    events = await orders.events(2)
    assert [e["type"] for e in events] == ["PurchaseOrderSubmitted", "PurchaseOrderInvoicingChanged"]


async def line_versions(orders: OrdersService, order: dict[str, Any]) -> list[tuple[str, str]]:
    """(invoiced quantity, row version) per line: ``xmin`` is the transaction that wrote the row."""
    async with orders.runtime.engine.connect() as conn:
        rows = await conn.exec_driver_sql(
            "SELECT invoiced_quantity::text, xmin::text FROM purchase_order_lines"
            " WHERE purchase_order_id = $1 ORDER BY line_no",
            (uuid.UUID(order["id"]),),
        )
        return [(quantity, version) for quantity, version in rows.all()]


async def test_an_invoice_rewrites_only_the_order_lines_whose_quantities_it_moves(orders: OrdersService) -> None:
    buyer, order = await sent_order(orders)
    tenant = uuid.UUID(order["tenant_id"])
    (first_before, first_version), (second_before, second_version) = await line_versions(orders, order)

    invoice = invoice_event(order, ["4"])  # bills the first line only
    await orders.handled(INVOICES, (await orders.publish_event(invoice, tenant)).id)
    (first_after, first_rewritten), (second_after, second_kept) = await line_versions(orders, order)
    assert (first_before, first_after) == ("0", "4") and first_rewritten != first_version
    assert (second_before, second_after) == ("0", "0") and second_kept == second_version
    assert await state(orders, buyer, order) == ("partially_invoiced", [("4", "6"), ("0", "5")])
