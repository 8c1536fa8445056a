"""Who decides on a pending invoice: its approver (the PO initiator) or a buyer admin."""

from __future__ import annotations

from uuid import uuid4

import pytest

from invoicing.domain.errors import InvalidInvoice, NotAllowed
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from tests.invoicing.unit.fakes import NOW


def test_the_po_initiator_approves_a_pending_invoice(pending: Invoice, po: PurchaseOrder) -> None:
    pending.approve(po.initiator_id, is_admin=False, now=NOW)
    assert pending.status == "approved"
    [event] = pending.events
    assert event.event_type == "InvoiceApproved" and event.auto_approved is False  # type: ignore[attr-defined]


def test_a_buyer_admin_who_is_not_the_approver_may_reject(pending: Invoice) -> None:
    pending.reject(uuid4(), is_admin=True, reason="not ordered", now=NOW)
    assert pending.status == "rejected"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_another_buyer_user_may_not_decide(pending: Invoice, decision: str) -> None:
    with pytest.raises(NotAllowed):
        if decision == "approve":
            pending.approve(uuid4(), is_admin=False, now=NOW)
        else:
            pending.reject(uuid4(), is_admin=False, reason="no", now=NOW)
    assert pending.status == "pending" and pending.events == []


def test_a_rejection_needs_a_reason(pending: Invoice, po: PurchaseOrder) -> None:
    with pytest.raises(InvalidInvoice):
        pending.reject(po.initiator_id, is_admin=False, reason="   ", now=NOW)
