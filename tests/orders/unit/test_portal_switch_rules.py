"""What a supplier keeps of a buyer that switched its supplier portal off: the orders still to
invoice, read-only apart from invoicing; nothing of it for buyers or for other records."""

from __future__ import annotations

import uuid

import pytest

from orders.domain.portal_switch import (
    SHOWN_WHILE_SWITCHED_OFF,
    SupplierPortalSwitchedOff,
    ensure_portal_on,
    unrestricted_supplier_ids,
)
from shared.auth import Principal

OFF, ON = uuid.uuid4(), uuid.uuid4()


def supplier(*, restricted: frozenset[uuid.UUID]) -> Principal:
    return Principal(
        user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({OFF, ON}), restricted_supplier_ids=restricted
    )


def test_only_orders_with_something_left_to_invoice_stay_shown() -> None:
    assert {"sent", "acknowledged", "partially_invoiced"} == SHOWN_WHILE_SWITCHED_OFF


def test_a_restricted_record_refuses_the_portal_actions_with_a_conflict() -> None:
    caller = supplier(restricted=frozenset({OFF}))
    with pytest.raises(SupplierPortalSwitchedOff, match="can no longer comment") as refused:
        ensure_portal_on(caller, OFF, "comment")
    assert refused.value.status == 409
    ensure_portal_on(caller, ON, "comment")


def test_buyers_and_unrestricted_suppliers_are_never_refused() -> None:
    ensure_portal_on(supplier(restricted=frozenset()), OFF, "comment")
    buyer = Principal(user_id=uuid.uuid4(), role="buyer_admin", tenant_id=uuid.uuid4(), restricted_supplier_ids={OFF})
    ensure_portal_on(buyer, OFF, "comment")


def test_rfps_are_answered_only_through_unrestricted_records() -> None:
    assert unrestricted_supplier_ids(supplier(restricted=frozenset({OFF}))) == {ON}
    assert unrestricted_supplier_ids(supplier(restricted=frozenset())) == {OFF, ON}
