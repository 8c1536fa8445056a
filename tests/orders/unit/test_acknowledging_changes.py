"""The supplier acknowledges the buyer's changes to an order it had acknowledged, version by version."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain.errors import PurchaseOrderStateConflict
from orders.domain.model import PurchaseOrder
from shared.contracts.orders import PurchaseOrderAcknowledged, PurchaseOrderChanged
from tests.orders.unit.builders import NOW, draft, line, sent

LATER = NOW + timedelta(days=1)


def acknowledged() -> PurchaseOrder:
    order = sent(line("10", "5.00"))
    order.acknowledge(NOW)
    order.events.clear()
    return order


def test_the_first_acknowledgement_records_the_revision_it_made() -> None:
    order = sent()
    assert (order.acknowledged_revision, order.change_unacknowledged) == (None, False)
    order.acknowledge(NOW)
    assert order.acknowledged_revision == order.revision
    [event] = order.events
    assert (event.acknowledged_revision, event.change_unacknowledged) == (order.revision, False)


def test_a_change_after_the_acknowledgement_waits_to_be_acknowledged() -> None:
    order = acknowledged()
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    assert order.change_unacknowledged
    assert order.revision > (order.acknowledged_revision or 0)
    assert order.status == "acknowledged"
    [event] = order.events
    assert isinstance(event, PurchaseOrderChanged)
    assert event.change_unacknowledged


def test_acknowledging_the_change_acknowledges_the_latest_revision_and_keeps_the_status() -> None:
    order = acknowledged()
    first_acknowledged_at = order.acknowledged_at
    order.change(now=LATER, lines=[line("12", "5.00")])
    order.events.clear()
    order.acknowledge(LATER)
    assert (order.status, order.acknowledged_revision, order.change_unacknowledged) == (
        "acknowledged",
        order.revision,
        False,
    )
    # When the order was first acknowledged stays; the event says when the change was.
    assert order.acknowledged_at == first_acknowledged_at
    [event] = order.events
    assert isinstance(event, PurchaseOrderAcknowledged)
    assert (event.acknowledged_revision, event.change_unacknowledged) == (order.revision, False)


def test_acknowledging_the_acknowledged_revision_again_is_a_conflict() -> None:
    order = acknowledged()
    with pytest.raises(PurchaseOrderStateConflict, match="already acknowledged"):
        order.acknowledge(LATER)
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    order.acknowledge(LATER)
    with pytest.raises(PurchaseOrderStateConflict, match="already acknowledged"):
        order.acknowledge(LATER)


def test_a_change_before_the_first_acknowledgement_is_covered_by_it() -> None:
    order = sent()
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    assert not order.change_unacknowledged
    order.acknowledge(LATER)
    assert (order.status, order.change_unacknowledged) == ("acknowledged", False)


def test_a_change_to_a_partially_invoiced_order_is_acknowledged_without_moving_the_status() -> None:
    order = acknowledged()
    order.apply_invoiced_quantities({order.lines[0].id: Decimal("4")}, LATER)
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    assert order.change_unacknowledged
    order.acknowledge(LATER)
    assert (order.status, order.change_unacknowledged) == ("partially_invoiced", False)


@pytest.mark.parametrize("finish", ["cancel", "close"])
def test_a_canceled_or_closed_order_has_nothing_to_acknowledge(finish: str) -> None:
    order = acknowledged()
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    getattr(order, finish)(LATER)
    assert not order.change_unacknowledged
    with pytest.raises(PurchaseOrderStateConflict):
        order.acknowledge(LATER)


def test_an_order_invoiced_without_an_acknowledgement_is_not_acknowledged_later() -> None:
    order = sent(line("10", "5.00"))
    order.apply_invoiced_quantities({order.lines[0].id: Decimal("4")}, LATER)
    order.change(now=LATER, delivery_date=date(2026, 7, 1))
    assert not order.change_unacknowledged
    with pytest.raises(PurchaseOrderStateConflict):
        order.acknowledge(LATER)


def test_a_draft_is_not_acknowledged() -> None:
    with pytest.raises(PurchaseOrderStateConflict):
        draft().acknowledge(NOW)


steps = st.lists(st.sampled_from(["change", "acknowledge", "invoice", "uninvoice"]), max_size=12)


@given(steps)
def test_an_acknowledgement_is_due_exactly_while_a_change_follows_the_last_one(actions: list[str]) -> None:
    order = sent(line("10", "5.00"))
    ever_acknowledged = False
    changed_since = False
    for index, action in enumerate(actions):
        if action == "change":
            order.change(now=LATER, delivery_date=date(2026, 7, 1) + timedelta(days=index))
            changed_since = True
        elif action == "invoice":
            order.apply_invoiced_quantities({order.lines[0].id: Decimal("4")}, LATER)
        elif action == "uninvoice":
            order.apply_invoiced_quantities({}, LATER)
        else:
            may = (order.status == "sent" and not ever_acknowledged) or (ever_acknowledged and changed_since)
            if may:
                status = order.status
                order.acknowledge(LATER)
                assert order.acknowledged_revision == order.revision
                assert order.status == ("acknowledged" if status == "sent" else status)
                ever_acknowledged, changed_since = True, False
            else:
                with pytest.raises(PurchaseOrderStateConflict):
                    order.acknowledge(LATER)
        assert order.change_unacknowledged == (ever_acknowledged and changed_since)
        assert order.snapshot().change_unacknowledged == order.change_unacknowledged
