"""Who writes invoices: the supplier while the buyer's supplier portal is on, the buyer's staff
on the supplier's behalf while it is off; and which switch change deletes supplier drafts."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from invoicing.domain.access import ensure_may_cancel, ensure_may_change, ensure_may_create, may_follow_conversation
from invoicing.domain.errors import NotAllowed, SupplierPortalSwitchedOff
from invoicing.domain.lines import prefill
from invoicing.domain.model import Invoice
from invoicing.domain.organisations import OrganisationSettings, switches_portal_off
from invoicing.domain.purchase_orders import PurchaseOrder
from tests.invoicing.unit.fakes import NOW, make_invoice, make_verdict

TENANT = uuid4()
ON = OrganisationSettings(TENANT, "Buyer", supplier_portal_enabled=True, revision=1)
OFF = OrganisationSettings(TENANT, "Buyer", supplier_portal_enabled=False, revision=2)


def buyer_draft(po: PurchaseOrder) -> Invoice:
    return Invoice.draft(po=po, number="B-1", issue_date=None, lines=prefill(po, {}), now=NOW, created_by_buyer=True)


def test_an_unknown_organisation_has_the_portal_on_and_no_issue_date_required() -> None:
    unknown = OrganisationSettings.unknown(TENANT)
    assert unknown.supplier_portal_enabled is True
    assert unknown.invoice_issue_date_required is False


def test_while_the_portal_is_on_only_suppliers_create_invoices() -> None:
    ensure_may_create(by_buyer=False, portal=ON)
    with pytest.raises(NotAllowed, match="switched off"):
        ensure_may_create(by_buyer=True, portal=ON)


def test_while_the_portal_is_off_buyers_create_invoices_and_suppliers_are_refused() -> None:
    ensure_may_create(by_buyer=True, portal=OFF)
    with pytest.raises(SupplierPortalSwitchedOff, match="buyer has switched the supplier portal off") as refused:
        ensure_may_create(by_buyer=False, portal=OFF)
    assert refused.value.status == 403


@pytest.mark.parametrize("check", [ensure_may_change, ensure_may_cancel])
def test_a_supplier_may_not_change_or_cancel_its_invoices_while_the_portal_is_off(po: PurchaseOrder, check) -> None:  # type: ignore[no-untyped-def]
    invoice = make_invoice(po)
    check(invoice, by_buyer=False, portal=ON)
    with pytest.raises(SupplierPortalSwitchedOff):
        check(invoice, by_buyer=False, portal=OFF)


def test_the_buyer_changes_the_invoices_it_created_whatever_the_switch_says_later(po: PurchaseOrder) -> None:
    invoice = buyer_draft(po)
    for portal in (OFF, ON):
        ensure_may_change(invoice, by_buyer=True, portal=portal)
        ensure_may_cancel(invoice, by_buyer=True, portal=portal)
    with pytest.raises(NotAllowed, match="on the supplier's behalf"):
        ensure_may_change(invoice, by_buyer=False, portal=ON)


def test_the_buyer_never_edits_or_submits_a_supplier_invoice_but_may_cancel_it(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    for portal in (ON, OFF):
        with pytest.raises(NotAllowed, match="only the supplier's users"):
            ensure_may_change(invoice, by_buyer=True, portal=portal)
        ensure_may_cancel(invoice, by_buyer=True, portal=portal)


def test_a_supplier_draft_is_its_own_conversation_until_submitted(po: PurchaseOrder) -> None:
    supplier_draft, by_buyer = make_invoice(po), buyer_draft(po)
    assert may_follow_conversation(supplier_draft, by_buyer=False)
    assert not may_follow_conversation(supplier_draft, by_buyer=True)
    assert may_follow_conversation(by_buyer, by_buyer=True) and may_follow_conversation(by_buyer, by_buyer=False)
    supplier_draft.submit(NOW)
    assert may_follow_conversation(supplier_draft, by_buyer=True)


@pytest.mark.parametrize(
    ("before", "after", "deletes"),
    [
        (ON, OFF, True),
        (None, OFF, True),  # unknown means on: the first event saying "off" is a switch-off
        (OFF, OFF, False),
        (OFF, ON, False),
        (ON, ON, False),
        (None, ON, False),
    ],
)
def test_only_turning_the_portal_from_on_to_off_deletes_supplier_drafts(before, after, deletes: bool) -> None:  # type: ignore[no-untyped-def]
    assert switches_portal_off(before, after) is deletes


def test_every_invoice_event_carries_the_po_initiator_and_who_created_the_invoice(po: PurchaseOrder) -> None:
    for invoice, by_buyer in ((make_invoice(po), False), (buyer_draft(po), True)):
        invoice.submit(NOW)
        invoice.record_verdict(make_verdict(invoice, "needs_approval"), approver_id=po.initiator_id, now=NOW)
        invoice.reject(po.initiator_id, is_admin=False, reason="wrong", now=NOW)
        invoice.submit(NOW)
        invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
        invoice.record_payment(Decimal("1.00"), NOW)
        other = buyer_draft(po) if by_buyer else make_invoice(po)
        other.submit(NOW)
        other.record_verdict(make_verdict(other, "needs_approval"), approver_id=po.initiator_id, now=NOW)
        other.cancel(by_buyer=True, now=NOW)
        events = invoice.events + other.events
        assert {e.event_type for e in events} == {
            "InvoiceSubmitted",
            "InvoiceApprovalRequested",
            "InvoiceRejected",
            "InvoiceApproved",
            "InvoicePaymentRecorded",
            "InvoiceCanceled",
        }
        assert {(e.initiator_id, e.created_by_buyer) for e in events} == {(po.initiator_id, by_buyer)}  # type: ignore[attr-defined]
