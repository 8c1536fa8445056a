"""The purchase order's status machine and the events each step records."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from orders.domain.errors import InvalidPurchaseOrder, PurchaseOrderStateConflict
from orders.domain.model import PurchaseOrder
from shared.contracts.orders import (
    PurchaseOrderAcknowledged,
    PurchaseOrderCanceled,
    PurchaseOrderClosed,
    PurchaseOrderSubmitted,
)
from tests.orders.unit.builders import NOW, draft, line, sent, supplier


def test_a_new_order_is_a_draft_and_publishes_nothing() -> None:
    order = draft()
    order.revise_draft(now=NOW, lines=[line("3", "2")])
    assert order.status == "draft"
    assert order.events == []
    assert order.net_total == Decimal("6.00")


def test_currency_must_be_the_suppliers() -> None:
    with pytest.raises(InvalidPurchaseOrder) as refused:
        PurchaseOrder.draft(
            number="PO-000001",
            supplier=supplier("EUR"),
            currency="USD",
            delivery_date=None,
            lines=[line()],
            initiator_id=uuid4(),
            now=NOW,
        )
    assert refused.value.errors[0]["field"] == "currency"


def test_an_order_needs_a_line() -> None:
    order = draft()
    with pytest.raises(InvalidPurchaseOrder):
        order.revise_draft(now=NOW, lines=[])


def test_submitting_sends_the_order_with_its_whole_state() -> None:
    order = draft(line("10", "5.00"), line("2", "1.50"))
    order.submit(NOW)
    assert order.status == "sent"
    [event] = order.events
    assert isinstance(event, PurchaseOrderSubmitted)
    assert event.status == "sent"
    assert event.net_total == Decimal("53.00")
    assert event.submitted_at == NOW
    assert [x.remaining_quantity for x in event.lines] == [Decimal("10"), Decimal("2")]
    assert event.revision == order.revision


def test_only_a_draft_is_submitted_or_edited() -> None:
    order = sent()
    with pytest.raises(PurchaseOrderStateConflict):
        order.submit(NOW)
    with pytest.raises(PurchaseOrderStateConflict):
        order.revise_draft(now=NOW, lines=[line()])


def test_the_supplier_acknowledges_a_sent_order() -> None:
    order = sent()
    order.acknowledge(NOW)
    assert order.status == "acknowledged"
    assert order.acknowledged_at == NOW
    assert isinstance(order.events[0], PurchaseOrderAcknowledged)
    with pytest.raises(PurchaseOrderStateConflict):
        order.acknowledge(NOW)


def test_a_draft_cannot_be_acknowledged() -> None:
    with pytest.raises(PurchaseOrderStateConflict):
        draft().acknowledge(NOW)


@pytest.mark.parametrize("step", ["sent", "acknowledged"])
def test_an_open_order_can_be_canceled_or_closed_once(step: str) -> None:
    for finish, event_type, status in (
        ("cancel", PurchaseOrderCanceled, "canceled"),
        ("close", PurchaseOrderClosed, "closed"),
    ):
        order = sent()
        if step == "acknowledged":
            order.acknowledge(NOW)
            order.events.clear()
        getattr(order, finish)(NOW)
        assert order.status == status
        assert isinstance(order.events[0], event_type)
        for again in ("cancel", "close"):
            with pytest.raises(PurchaseOrderStateConflict):
                getattr(order, again)(NOW)


def test_canceling_a_draft_publishes_nothing_because_nobody_knows_it() -> None:
    order = draft()
    order.cancel(NOW)
    assert order.status == "canceled"
    assert order.events == []


def test_every_change_moves_the_revision_on() -> None:
    order = draft()
    revisions = [order.revision]
    order.revise_draft(now=NOW, lines=[line()])
    revisions.append(order.revision)
    order.submit(NOW)
    revisions.append(order.revision)
    order.acknowledge(NOW)
    revisions.append(order.revision)
    assert revisions == sorted(set(revisions))


def test_only_the_initiator_or_an_admin_manages_the_order() -> None:
    initiator = uuid4()
    order = draft(initiator_id=initiator)
    assert order.may_be_managed_by(initiator, is_admin=False)
    assert order.may_be_managed_by(uuid4(), is_admin=True)
    assert not order.may_be_managed_by(uuid4(), is_admin=False)


def test_an_empty_revision_changes_nothing() -> None:
    order = draft()
    revision = order.revision
    order.revise_draft(now=NOW)
    assert order.revision == revision
