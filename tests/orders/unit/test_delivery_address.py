"""The delivery address of an order: what is kept of what the buyer typed, what is refused, and the
change told to the supplier when a sent order gets another one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.domain.delivery import MAX_DELIVERY_ADDRESS_LENGTH, clean_delivery_address
from orders.domain.errors import InvalidPurchaseOrder, PurchaseOrderStateConflict
from orders.domain.model import PurchaseOrder
from shared.contracts.orders import PurchaseOrderChanged
from tests.orders.unit.builders import NOW, draft, sent

LATER = NOW + timedelta(days=1)
WAREHOUSE = "Globex Warehouse 3\nDock 12\n20457 Hamburg"


def changes_of(order: PurchaseOrder) -> list[tuple[str, str | None, str | None]]:
    [event] = order.events
    assert isinstance(event, PurchaseOrderChanged)
    return [(c.field, c.before, c.after) for c in event.changes]


def test_a_browsers_line_endings_become_plain_line_breaks_and_blanks_around_lines_go() -> None:
    assert clean_delivery_address("  Globex Warehouse 3 \r\nDock 12\r20457 Hamburg\n\n") == WAREHOUSE


def test_an_empty_or_blank_address_is_none_so_the_buyers_address_applies() -> None:
    assert clean_delivery_address("") is None
    assert clean_delivery_address(" \r\n \n") is None


@pytest.mark.parametrize("control", ["\t", "\x00", "\x1b", "\x7f", "\x0b", "\x85"])
def test_a_control_character_other_than_a_line_break_is_refused(control: str) -> None:
    with pytest.raises(InvalidPurchaseOrder) as refused:
        clean_delivery_address(f"Dock{control}12\nHamburg")
    assert refused.value.errors[0]["field"] == "delivery_address"


def test_an_address_of_500_characters_is_kept_and_one_more_is_refused() -> None:
    longest = "x" * MAX_DELIVERY_ADDRESS_LENGTH
    assert clean_delivery_address(longest) == longest
    with pytest.raises(InvalidPurchaseOrder, match="at most 500"):
        clean_delivery_address(longest + "x")


def test_a_draft_takes_its_delivery_address_cleaned_and_keeps_it_until_it_is_emptied() -> None:
    order = draft(delivery_address="Dock 12\r\nHamburg")
    assert order.delivery_address == "Dock 12\nHamburg"
    order.revise_draft(now=LATER)
    assert order.delivery_address == "Dock 12\nHamburg"
    order.revise_draft(now=LATER, delivery_address="")
    assert order.delivery_address is None
    assert order.events == []


def test_a_new_delivery_address_on_a_sent_order_is_told_to_the_supplier_and_carried_by_the_event() -> None:
    order = sent()
    order.change(now=LATER, delivery_address=WAREHOUSE)
    assert changes_of(order) == [("delivery_address", None, WAREHOUSE)]
    assert order.events[0].delivery_address == WAREHOUSE


def test_an_emptied_delivery_address_is_told_as_removed() -> None:
    order = sent()
    order.change(now=LATER, delivery_address=WAREHOUSE)
    order.events.clear()
    order.change(now=LATER, delivery_address="")
    assert changes_of(order) == [("delivery_address", WAREHOUSE, None)]


def test_the_same_address_typed_again_with_other_line_endings_changes_nothing() -> None:
    order = sent()
    order.change(now=LATER, delivery_address=WAREHOUSE)
    order.events.clear()
    revision = order.revision
    order.change(now=LATER, delivery_address=WAREHOUSE.replace("\n", "\r\n") + "\r\n")
    assert order.events == [] and order.revision == revision


def test_a_closed_order_keeps_its_delivery_address() -> None:
    order = sent()
    order.close(LATER)
    with pytest.raises(PurchaseOrderStateConflict):
        order.change(now=LATER, delivery_address=WAREHOUSE)
