"""Goods receipts: which orders take them, what a receipt may say, received quantities and events."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain.errors import (
    GoodsReceiptAlreadyReversed,
    GoodsReceiptNotFound,
    InvalidGoodsReceipt,
    LinesAlreadyReceived,
    PurchaseOrderStateConflict,
)
from orders.domain.model import PurchaseOrder
from orders.domain.receipts import GoodsReceipt, ReceiptLineInput, clean_note, received_quantities
from shared.contracts.orders import GoodsReceiptRecorded, GoodsReceiptReversed, PurchaseOrderChanged
from tests.orders.unit.builders import NOW, draft, line, sent

BUYER = uuid4()


def receive(
    order: PurchaseOrder, *quantities: str | None, on: date | None = None, note: str | None = None
) -> GoodsReceipt:
    """Record ``quantities[i]`` of the order's line i (None: that line is not on the receipt)."""
    lines = [
        ReceiptLineInput(order_line.id, Decimal(quantity))
        for order_line, quantity in zip(order.lines, quantities, strict=False)
        if quantity is not None
    ]
    return receive_lines(order, lines, on=on, note=note)


def receive_lines(
    order: PurchaseOrder, lines: list[ReceiptLineInput], *, on: date | None = None, note: str | None = None
) -> GoodsReceipt:
    sequence = sum(1 for event in order.events if isinstance(event, GoodsReceiptRecorded)) + 1
    return order.record_receipt(
        receipt_id=uuid4(),
        sequence=sequence,
        received_on=on or NOW.date(),
        lines=lines,
        note=note,
        recorded_by=BUYER,
        now=NOW,
    )


def received(order: PurchaseOrder) -> list[str]:
    return [format(x.received_quantity, "f") for x in order.lines]


def test_a_receipt_adds_to_what_its_lines_received_and_is_numbered_after_its_order() -> None:
    order = sent(line("10"), line("4"))
    first = receive(order, "3", None)
    second = receive(order, "2.5", "4")
    assert (first.number, second.number) == ("PO-000001-GR1", "PO-000001-GR2")
    assert received(order) == ["5.5", "4"]
    assert first.status == "recorded" and first.recorded_by == BUYER


def test_a_recorded_receipt_publishes_the_order_with_its_received_quantities_and_the_receipt() -> None:
    order = sent(line("10"))
    revision = order.revision
    receipt = receive(order, "6", note="pallet 1 of 2")
    [event] = order.events
    assert isinstance(event, GoodsReceiptRecorded)
    assert event.revision == revision + 1
    assert [x.received_quantity for x in event.lines] == [Decimal("6")]
    assert event.receipt.receipt_id == receipt.id and event.receipt.note == "pallet 1 of 2"
    assert [(x.purchase_order_line_id, x.quantity) for x in event.receipt.lines] == [(order.lines[0].id, Decimal(6))]


def test_reversing_a_receipt_takes_back_what_it_received_and_says_so() -> None:
    order = sent(line("10"))
    receipt = receive(order, "6")
    order.events.clear()
    reversed_receipt = order.reverse_receipt(receipt, reversed_by=BUYER, now=NOW)
    assert received(order) == ["0"]
    assert reversed_receipt.status == "reversed" and reversed_receipt.reversed_by == BUYER
    [event] = order.events
    assert isinstance(event, GoodsReceiptReversed)
    assert event.receipt.status == "reversed" and event.lines[0].received_quantity == 0


def test_a_receipt_is_reversed_once() -> None:
    order = sent(line("10"))
    receipt = order.reverse_receipt(receive(order, "6"), reversed_by=BUYER, now=NOW)
    with pytest.raises(GoodsReceiptAlreadyReversed):
        order.reverse_receipt(receipt, reversed_by=BUYER, now=NOW)


def test_another_orders_receipt_is_not_found_on_this_one() -> None:
    order, other = sent(line("10")), sent(line("10"))
    with pytest.raises(GoodsReceiptNotFound):
        order.reverse_receipt(receive(other, "1"), reversed_by=BUYER, now=NOW)


@pytest.mark.parametrize("finish", ["cancel", "close"])
def test_a_canceled_or_closed_order_takes_no_receipt_and_reverses_none(finish: str) -> None:
    order = sent(line("10"))
    receipt = receive(order, "1")
    getattr(order, finish)(NOW)
    with pytest.raises(PurchaseOrderStateConflict):
        receive(order, "1")
    with pytest.raises(PurchaseOrderStateConflict):
        order.reverse_receipt(receipt, reversed_by=BUYER, now=NOW)


def test_a_draft_takes_no_receipt() -> None:
    with pytest.raises(PurchaseOrderStateConflict):
        receive(draft(line("10")), "1")


def test_an_acknowledged_and_a_fully_invoiced_order_take_receipts() -> None:
    order = sent(line("10"))
    order.acknowledge(NOW)
    receive(order, "4")
    order.apply_invoiced_quantities({order.lines[0].id: Decimal(10)}, NOW)
    assert order.status == "fully_invoiced"
    receive(order, "6")
    assert received(order) == ["10"]


def test_goods_are_not_received_tomorrow() -> None:
    order = sent(line("10"))
    with pytest.raises(InvalidGoodsReceipt) as refused:
        receive(order, "1", on=NOW.date() + timedelta(days=1))
    assert refused.value.errors[0]["field"] == "received_on"
    receive(order, "1", on=NOW.date() - timedelta(days=30))


def test_a_line_is_not_received_beyond_what_was_ordered() -> None:
    order = sent(line("10"), line("5"))
    receive(order, "8", "5")
    with pytest.raises(InvalidGoodsReceipt) as refused:
        receive(order, "2.0001", None)
    assert refused.value.errors == [
        {
            "field": "lines.0.quantity",
            "message": "line 1 of the order: 10 ordered, 8 received; at most 2 more can be received",
        }
    ]
    receive(order, "2", None)
    assert received(order) == ["10", "5"]


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "quantity must be greater than 0"),
        ("-1", "quantity must be greater than 0"),
        ("NaN", "quantity must be greater than 0"),
        ("1.00001", "at most 4 decimals"),
    ],
)
def test_a_received_quantity_is_above_zero_with_at_most_four_decimals(quantity: str, message: str) -> None:
    order = sent(line("10"))
    with pytest.raises(InvalidGoodsReceipt) as refused:
        receive(order, quantity)
    assert refused.value.errors == [{"field": "lines.0.quantity", "message": message}]
    assert received(order) == ["0"] and order.events == []


def test_each_line_of_a_receipt_names_a_line_of_the_order_once() -> None:
    order = sent(line("10"), line("5"))
    with pytest.raises(InvalidGoodsReceipt) as unknown:
        receive_lines(order, [ReceiptLineInput(order.lines[0].id, Decimal(1)), ReceiptLineInput(uuid4(), Decimal(1))])
    assert unknown.value.errors == [
        {"field": "lines.1.purchase_order_line_id", "message": "not a line of this purchase order"}
    ]
    twice = [ReceiptLineInput(order.lines[1].id, Decimal(1))] * 2
    with pytest.raises(InvalidGoodsReceipt) as named_twice:
        receive_lines(order, twice)
    assert named_twice.value.errors[0]["message"] == "line 2 of the order is named twice"
    with pytest.raises(InvalidGoodsReceipt):
        receive_lines(order, [])
    assert received(order) == ["0", "0"]


def test_a_note_is_trimmed_and_an_empty_one_is_none() -> None:
    assert clean_note("  two pallets  ") == "two pallets"
    assert clean_note("   ") is None and clean_note(None) is None
    with pytest.raises(InvalidGoodsReceipt):
        clean_note("x" * 1001)


def test_a_received_line_stays_on_a_changed_order_and_is_not_ordered_below_what_arrived() -> None:
    order = sent(line("10", description="Bolts"), line("5", description="Nuts"))
    receive(order, "6", None)
    bolts, nuts = order.lines
    keep_bolts = [line("7", description="Bolts"), line("5", description="Nuts")]
    with pytest.raises(LinesAlreadyReceived):
        order.change(now=NOW, lines=[line("5", description="Bolts"), line("5", description="Nuts")])
    with pytest.raises(LinesAlreadyReceived):
        order.change(now=NOW, lines=[line("5", description="Nuts")])
    order.change(now=NOW, lines=keep_bolts)
    assert [(x.id, x.received_quantity) for x in order.lines] == [(bolts.id, Decimal(6)), (nuts.id, Decimal(0))]


def test_match_against_receipts_changes_on_a_draft_quietly_and_on_a_sent_order_with_a_change() -> None:
    order = draft(line("10"))
    order.revise_draft(now=NOW, match_against_receipts=True)
    assert order.match_against_receipts and order.events == []
    order.submit(NOW)
    assert order.events[-1].match_against_receipts is True  # type: ignore[attr-defined]
    order.change(now=NOW, match_against_receipts=False)
    change = order.events[-1]
    assert isinstance(change, PurchaseOrderChanged) and not change.match_against_receipts
    assert [(c.field, c.before, c.after) for c in change.changes] == [("match_against_receipts", "true", "false")]


# A step: record the given quantity of a line, or reverse the n-th receipt so far.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 2), st.decimals("0.0001", "7", places=4)),
        st.tuples(st.just("reverse"), st.integers(0, 20), st.none()),
    ),
    max_size=25,
)


@given(steps)
def test_received_quantity_is_always_the_sum_of_the_receipts_not_reversed(
    plan: list[tuple[str, int, Decimal | None]],
) -> None:
    order = sent(line("10"), line("3.5"), line("12"))
    receipts: dict[UUID, GoodsReceipt] = {}
    for action, index, quantity in plan:
        try:
            if action == "receive":
                assert quantity is not None
                receipt = receive_lines(order, [ReceiptLineInput(order.lines[index].id, quantity)])
            else:
                receipt = order.reverse_receipt(list(receipts.values())[index], reversed_by=BUYER, now=NOW)
        except (InvalidGoodsReceipt, GoodsReceiptAlreadyReversed, IndexError):
            continue
        receipts[receipt.id] = receipt
        sums = received_quantities(receipts.values())
        assert all(x.received_quantity == sums.get(x.id, 0) for x in order.lines)
        assert all(0 <= x.received_quantity <= x.quantity for x in order.lines)
        assert [x.received_quantity for x in order.events[-1].lines] == [x.received_quantity for x in order.lines]  # type: ignore[attr-defined]
