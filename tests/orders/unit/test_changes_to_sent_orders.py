"""The buyer changes a sent order: what may change when, and the changes told to the supplier."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from orders.domain.errors import InvalidPurchaseOrder, LinesAlreadyInvoiced, PurchaseOrderStateConflict
from orders.domain.lines import LineInput
from orders.domain.model import PurchaseOrder
from orders.domain.terms import SupplierTerms
from shared.contracts.orders import FieldChange, PurchaseOrderChanged
from tests.orders.unit.builders import NOW, line, sent

LATER = NOW + timedelta(days=1)


def changes_of(order: PurchaseOrder) -> list[tuple[str, str | None, str | None]]:
    [event] = order.events
    assert isinstance(event, PurchaseOrderChanged)
    return [(c.field, c.before, c.after) for c in event.changes]


def same_lines(order: PurchaseOrder) -> list[LineInput]:
    return [LineInput(x.description, x.quantity, x.unit_price, x.sku, x.unit) for x in order.lines]


def test_a_new_delivery_date_is_one_change_with_before_and_after() -> None:
    order = sent()
    revision = order.revision
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    assert changes_of(order) == [("delivery_date", "2026-06-01", "2026-07-01")]
    assert (order.status, order.delivery_date, order.revision) == ("sent", date(2026, 7, 1), revision + 1)
    assert order.events[0].delivery_date == date(2026, 7, 1)


def test_nothing_changed_publishes_nothing() -> None:
    order = sent(line("10", "5.00"))
    revision = order.revision
    order.change(now=LATER, delivery_date=order.delivery_date, lines=same_lines(order))
    order.change(now=LATER)
    # "10.00" is the same quantity as "10".
    order.change(now=LATER, lines=[line("10.00", "5.0")])
    assert order.events == []
    assert order.revision == revision


def test_a_changed_quantity_is_named_by_its_line_and_the_line_keeps_its_id() -> None:
    order = sent(line("10", "5.00", "Bolts"), line("5", "2.00", "Nuts"))
    ids = [x.id for x in order.lines]
    order.change(now=LATER, lines=[line("10", "5.00", "Bolts"), line("8", "2.00", "Nuts")])
    assert changes_of(order) == [("line 2 quantity", "5", "8")]
    assert [x.id for x in order.lines] == ids
    assert order.net_total == Decimal("66.00")
    assert order.events[0].net_total == Decimal("66.00")


def test_a_changed_tax_rate_is_told_and_the_totals_follow() -> None:
    order = sent(line("10", "5.00", "Bolts", tax_rate="20"))
    order.change(now=LATER, lines=[line("10", "5.00", "Bolts", tax_rate="7")])
    assert changes_of(order) == [("line 1 tax_rate", "20", "7")]
    assert (order.tax_total, order.gross_total) == (Decimal("3.50"), Decimal("53.50"))
    assert order.events[0].gross_total == Decimal("53.50")  # type: ignore[attr-defined]


def test_added_and_removed_lines_are_described() -> None:
    order = sent(line("10", "5.00", "Bolts"))
    order.change(now=LATER, lines=[line("10", "5.00", "Bolts"), line("3", "2.5", "Washers")])
    assert changes_of(order) == [("line 2", None, "3 Washers at 2.5")]
    order.events.clear()
    order.change(now=LATER, lines=[line("10", "5.00", "Bolts")])
    assert changes_of(order) == [("line 2", "3 Washers at 2.5", None)]


def test_lines_named_by_id_can_be_removed_from_the_middle() -> None:
    order = sent(line("1", "1", "A"), line("2", "1", "B"), line("3", "1", "C"))
    first, _, third = order.lines
    keep = [
        LineInput("A", Decimal("1"), Decimal("1"), line_id=first.id),
        LineInput("C", Decimal("4"), Decimal("1"), line_id=third.id),
    ]
    order.change(now=LATER, lines=keep)
    assert changes_of(order) == [
        ("line 2 position", "3", "2"),
        ("line 2 quantity", "3", "4"),
        ("line 2", "2 B at 1", None),
    ]
    assert [(x.id, x.line_no) for x in order.lines] == [(first.id, 1), (third.id, 2)]


def test_a_line_id_of_another_order_is_refused() -> None:
    order, other = sent(), sent()
    with pytest.raises(InvalidPurchaseOrder) as refused:
        order.change(now=LATER, lines=[LineInput("X", Decimal("1"), Decimal("1"), line_id=other.lines[0].id)])
    assert refused.value.errors[0]["field"] == "lines.0.id"


def test_lines_stay_once_anything_is_invoiced_but_the_delivery_date_still_moves() -> None:
    order = sent(line("10"), line("5"))
    order.apply_invoiced_quantities({order.lines[1].id: Decimal("1")}, NOW)
    order.events.clear()
    assert order.status == "partially_invoiced"
    with pytest.raises(LinesAlreadyInvoiced) as refused:
        order.change(now=LATER, lines=[line("20")])
    assert "line(s) 2 are already invoiced" in refused.value.detail
    order.change(now=LATER, delivery_date=date(2026, 8, 1))
    assert changes_of(order) == [("delivery_date", "2026-06-01", "2026-08-01")]
    assert order.status == "partially_invoiced"


@pytest.mark.parametrize("final", ["fully_invoiced", "canceled", "closed"])
def test_an_order_that_is_no_longer_open_does_not_change(final: str) -> None:
    order = sent(line("10"))
    if final == "fully_invoiced":
        order.apply_invoiced_quantities({order.lines[0].id: Decimal("10")}, NOW)
    else:
        getattr(order, {"canceled": "cancel", "closed": "close"}[final])(NOW)
    with pytest.raises(PurchaseOrderStateConflict):
        order.change(now=LATER, delivery_date=date(2026, 9, 1))


def test_an_acknowledged_order_stays_acknowledged_when_its_lines_change() -> None:
    order = sent(line("10"))
    order.acknowledge(NOW)
    order.events.clear()
    order.change(now=LATER, lines=[line("12")])
    assert order.status == "acknowledged"
    assert order.events[0].status == "acknowledged"


def test_a_change_holds_the_terms_against_the_new_order() -> None:
    order = sent(line("2", "150.00"))
    terms = SupplierTerms(minimum_order_amount=Decimal("500"))
    order.change(now=LATER, lines=[line("2", "150.00"), line("1", "100.00")], terms=terms)
    assert [w.code for w in order.warnings] == ["below_minimum_order_amount"]
    order.change(now=LATER, lines=[line("5", "150.00")], terms=terms)
    assert order.warnings == []


def test_field_changes_are_the_contract_type() -> None:
    order = sent()
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    assert isinstance(order.events[0], PurchaseOrderChanged)
    assert order.events[0].changes == [FieldChange(field="delivery_date", before="2026-06-01", after="2026-07-01")]
