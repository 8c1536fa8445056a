"""Invoiced and remaining quantities from the live invoices, and the invoicing statuses."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain.model import PurchaseOrder
from orders.domain.read_models import InvoicedLine, InvoiceRecord, invoiced_quantities, remaining_quantity
from shared.contracts.invoicing import LIVE_INVOICE_STATUSES
from shared.contracts.orders import PurchaseOrderInvoicingChanged
from tests.orders.unit.builders import NOW, draft, line, sent

ALL_INVOICE_STATUSES = ["draft", "matching", "pending", "approved", "rejected", "canceled", "partly_paid", "paid"]


def invoice(
    order: PurchaseOrder, *quantities: str | None, status: str = "approved", kind: str = "invoice"
) -> InvoiceRecord:
    """An invoice (or credit note) billing (giving back) ``quantities[i]`` of the order's line i
    (None: that line is not on it)."""
    lines = tuple(
        InvoicedLine(order_line.id, Decimal(quantity))
        for order_line, quantity in zip(order.lines, quantities, strict=False)
        if quantity is not None
    )
    return InvoiceRecord(uuid4(), order.tenant_id, order.id, status, 1, lines, kind)  # type: ignore[arg-type]


def recount(order: PurchaseOrder, *invoices: InvoiceRecord) -> bool:
    return order.apply_invoiced_quantities(invoiced_quantities(invoices), NOW)


def test_dropped_invoices_bill_nothing() -> None:
    order = sent(line("10"))
    live = invoice(order, "4", status="matching")
    rejected = invoice(order, "3", status="rejected")
    canceled = invoice(order, "2", status="canceled")
    draft_invoice = invoice(order, "1", status="draft")
    assert invoiced_quantities([live, rejected, canceled, draft_invoice]) == {order.lines[0].id: Decimal("4")}


def test_new_items_refer_to_no_line_and_count_nowhere() -> None:
    order = sent(line("10"))
    new_item = InvoiceRecord(uuid4(), order.tenant_id, order.id, "approved", 1, (InvoicedLine(None, Decimal("5")),))
    assert invoiced_quantities([new_item]) == {}


def test_part_of_the_order_invoiced_makes_it_partially_invoiced() -> None:
    order = sent(line("10"), line("5"))
    assert recount(order, invoice(order, "4"))
    assert order.status == "partially_invoiced"
    assert [(x.invoiced_quantity, x.remaining_quantity) for x in order.lines] == [
        (Decimal("4"), Decimal("6")),
        (Decimal("0"), Decimal("5")),
    ]
    [event] = order.events
    assert isinstance(event, PurchaseOrderInvoicingChanged)
    assert event.status == "partially_invoiced"
    assert event.lines[0].remaining_quantity == Decimal("6")


def test_every_line_invoiced_makes_it_fully_invoiced_and_over_invoicing_leaves_nothing() -> None:
    order = sent(line("10"), line("5"))
    recount(order, invoice(order, "4", "5"), invoice(order, "7"))
    assert order.status == "fully_invoiced"
    assert order.lines[0].invoiced_quantity == Decimal("11")
    assert order.lines[0].remaining_quantity == Decimal("0")


def test_an_invoice_dropping_out_gives_its_quantity_back_step_by_step() -> None:
    order = sent(line("10"))
    first, second = invoice(order, "4"), invoice(order, "6")
    recount(order, first, second)
    assert order.status == "fully_invoiced"
    recount(order, first, invoice_with_status(second, "rejected"))
    assert (order.status, order.lines[0].remaining_quantity) == ("partially_invoiced", Decimal("6"))
    recount(order, invoice_with_status(first, "canceled"), invoice_with_status(second, "rejected"))
    assert (order.status, order.lines[0].remaining_quantity) == ("sent", Decimal("10"))


def test_an_acknowledged_order_goes_back_to_acknowledged_not_sent() -> None:
    order = sent(line("10"))
    order.acknowledge(NOW)
    only = invoice(order, "10")
    recount(order, only)
    assert order.status == "fully_invoiced"
    recount(order, invoice_with_status(only, "rejected"))
    assert order.status == "acknowledged"


def test_nothing_moved_records_nothing() -> None:
    order = sent(line("10"))
    recount(order, invoice(order, "4"))
    order.events.clear()
    revision = order.revision
    assert not recount(order, invoice(order, "4"))
    assert order.events == []
    assert order.revision == revision


def test_a_canceled_order_keeps_its_status_but_still_reports_quantities() -> None:
    order = sent(line("10"))
    order.cancel(NOW)
    order.events.clear()
    recount(order, invoice(order, "4"))
    assert order.status == "canceled"
    assert order.lines[0].invoiced_quantity == Decimal("4")
    assert isinstance(order.events[0], PurchaseOrderInvoicingChanged)


def test_a_draft_publishes_nothing_even_when_quantities_move() -> None:
    order = draft(line("10"))
    recount(order, invoice(order, "4"))
    assert order.status == "draft"
    assert order.events == []


def invoice_with_status(record: InvoiceRecord, status: str) -> InvoiceRecord:
    return InvoiceRecord(
        record.invoice_id, record.tenant_id, record.purchase_order_id, status, record.revision + 1, record.lines
    )


quantities = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@given(
    ordered=st.lists(st.decimals(min_value="0.01", max_value=500, places=2), min_size=1, max_size=4),
    invoices=st.lists(
        st.tuples(
            st.sampled_from(ALL_INVOICE_STATUSES), st.lists(st.tuples(st.integers(0, 4), quantities), max_size=5)
        ),
        max_size=6,
    ),
    acknowledged=st.booleans(),
)
def test_invoiced_is_the_sum_over_live_invoices_and_remaining_is_never_negative(
    ordered: list[Decimal], invoices: list[tuple[str, list[tuple[int, Decimal]]]], acknowledged: bool
) -> None:
    order = sent(*(line(str(q)) for q in ordered))
    if acknowledged:
        order.acknowledge(NOW)
    line_ids: list[UUID | None] = [x.id for x in order.lines] + [None]  # index past the lines: a new item
    records = [
        InvoiceRecord(
            uuid4(),
            order.tenant_id,
            order.id,
            status,
            1,
            tuple(InvoicedLine(line_ids[min(i, len(line_ids) - 1)], q) for i, q in billed),
        )
        for status, billed in invoices
    ]
    recount(order, *records)
    for order_line in order.lines:
        expected = sum(
            (
                billed.quantity
                for record in records
                if record.status in LIVE_INVOICE_STATUSES
                for billed in record.lines
                if billed.purchase_order_line_id == order_line.id
            ),
            Decimal(0),
        )
        assert order_line.invoiced_quantity == expected
        assert order_line.remaining_quantity >= 0
        assert order_line.remaining_quantity == max(order_line.quantity - expected, Decimal(0))
    if all(x.invoiced_quantity >= x.quantity for x in order.lines):
        assert order.status == "fully_invoiced"
    elif any(x.invoiced_quantity > 0 for x in order.lines):
        assert order.status == "partially_invoiced"
    else:
        assert order.status == ("acknowledged" if acknowledged else "sent")


@given(ordered=quantities, invoiced=st.decimals(min_value=-10, max_value=5000, places=3))
def test_remaining_quantity_is_never_negative(ordered: Decimal, invoiced: Decimal) -> None:
    assert remaining_quantity(ordered, invoiced) >= 0


def test_an_approved_credit_note_gives_its_quantities_back_and_reopens_a_fully_invoiced_order() -> None:
    order = sent(line("50"))
    billed = invoice(order, "50")
    assert recount(order, billed) and order.status == "fully_invoiced"

    pending_credit = invoice(order, "5", status="pending", kind="credit_note")
    assert not recount(order, billed, pending_credit)  # not approved yet: nothing moves
    approved_credit = invoice(order, "5", status="approved", kind="credit_note")
    assert recount(order, billed, approved_credit)
    assert (order.status, order.lines[0].invoiced_quantity, order.lines[0].remaining_quantity) == (
        "partially_invoiced",
        Decimal(45),
        Decimal(5),
    )
    assert isinstance(order.events[-1], PurchaseOrderInvoicingChanged)


@pytest.mark.parametrize("status", ["draft", "matching", "pending", "rejected", "canceled"])
def test_a_credit_note_that_is_not_approved_gives_nothing_back(status: str) -> None:
    order = sent(line("10"))
    credit = invoice(order, "4", status=status, kind="credit_note")
    assert invoiced_quantities([invoice(order, "10"), credit]) == {order.lines[0].id: Decimal(10)}
