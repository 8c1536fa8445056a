"""The invoice's status machine: what each status allows and which events each step records."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from invoicing.domain.errors import InvalidInvoice, InvoiceStateConflict
from invoicing.domain.lines import LineDraft, build_lines
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from tests.invoicing.unit.fakes import NOW, make_invoice, make_verdict


def types(invoice: Invoice) -> list[str]:
    return [event.event_type for event in invoice.events]


def test_a_new_invoice_is_a_draft_in_the_po_currency_and_publishes_nothing(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    assert (invoice.status, invoice.currency, invoice.submission) == ("draft", "EUR", 0)
    assert invoice.net_total == Decimal("1000.00")
    assert invoice.events == []


def test_editing_a_draft_publishes_nothing_and_replaces_its_lines(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    line = po.lines[0]
    invoice.edit(
        {"number": "INV-9"}, NOW, lines=build_lines([LineDraft(line.line_id, Decimal(2), Decimal("100.00"))], po)
    )
    assert invoice.number == "INV-9"
    assert [ln.quantity for ln in invoice.lines] == [Decimal(2)]
    assert invoice.net_total == Decimal("200.00")
    assert invoice.events == []


def test_submitting_moves_to_matching_and_counts_the_submission(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    invoice.submit(NOW)
    assert (invoice.status, invoice.submission, invoice.submitted_at) == ("matching", 1, NOW)
    assert types(invoice) == ["InvoiceSubmitted"]
    event = invoice.events[0]
    assert event.model_dump()["net_total"] == Decimal("1000.00")
    assert event.key() == str(po.id)


def test_an_invoice_without_lines_cannot_be_submitted(po: PurchaseOrder) -> None:
    invoice = make_invoice(po, lines=[])
    with pytest.raises(InvalidInvoice):
        invoice.submit(NOW)
    assert invoice.status == "draft"


def test_auto_approved_verdict_approves_without_an_approver(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    invoice.submit(NOW)
    assert invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
    assert (invoice.status, invoice.approver_id) == ("approved", None)
    assert types(invoice)[-1] == "InvoiceApproved"
    assert invoice.events[-1].auto_approved is True  # type: ignore[attr-defined]
    assert invoice.matching is not None


def test_needs_approval_verdict_routes_the_invoice_to_the_po_initiator(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice, "needs_approval"), approver_id=po.initiator_id, now=NOW)
    assert (invoice.status, invoice.approver_id) == ("pending", po.initiator_id)
    assert types(invoice)[-1] == "InvoiceApprovalRequested"


def test_verdict_on_an_earlier_submission_or_a_repeated_one_changes_nothing(pending: Invoice) -> None:
    stale = make_verdict(pending, "auto_approved", submission=pending.submission - 1)
    assert not pending.record_verdict(stale, approver_id=uuid4(), now=NOW)
    again = make_verdict(pending, "auto_approved")
    assert not pending.record_verdict(again, approver_id=uuid4(), now=NOW)
    assert pending.status == "pending"
    assert pending.events == []


def test_a_rejected_invoice_can_be_edited_and_resubmitted_which_clears_the_verdict(
    pending: Invoice, po: PurchaseOrder
) -> None:
    pending.reject(po.initiator_id, is_admin=False, reason="price too high", now=NOW)
    assert (pending.status, pending.rejection_reason) == ("rejected", "price too high")
    line = po.lines[0]
    pending.edit({}, NOW, lines=build_lines([LineDraft(line.line_id, Decimal(10), Decimal("99.00"))], po))
    pending.submit(NOW)
    assert (pending.status, pending.submission) == ("matching", 2)
    assert pending.matching is None and pending.approver_id is None and pending.rejection_reason is None
    assert types(pending) == ["InvoiceRejected", "InvoiceSubmitted"]


@pytest.mark.parametrize("action", ["edit", "submit"])
def test_only_drafts_and_rejected_invoices_are_edited_or_submitted(
    pending: Invoice, po: PurchaseOrder, action: str
) -> None:
    with pytest.raises(InvoiceStateConflict):
        if action == "edit":
            pending.edit({"number": "X"}, NOW)
        else:
            pending.submit(NOW)


def test_approve_and_reject_only_while_pending(approved: Invoice, po: PurchaseOrder) -> None:
    with pytest.raises(InvoiceStateConflict):
        approved.approve(po.initiator_id, is_admin=True, now=NOW)
    with pytest.raises(InvoiceStateConflict):
        approved.reject(po.initiator_id, is_admin=True, reason="late", now=NOW)


def test_canceling_a_never_submitted_draft_publishes_nothing(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    invoice.cancel(by_buyer=False, now=NOW)
    assert invoice.status == "canceled"
    assert invoice.events == []


def test_the_buyer_may_cancel_a_pending_invoice_but_the_supplier_may_not(pending: Invoice) -> None:
    with pytest.raises(InvoiceStateConflict):
        pending.cancel(by_buyer=False, now=NOW)
    pending.cancel(by_buyer=True, now=NOW)
    assert types(pending) == ["InvoiceCanceled"]


def test_the_cancel_event_says_which_side_canceled(pending: Invoice, po: PurchaseOrder) -> None:
    pending.cancel(by_buyer=True, now=NOW)
    rejected = make_invoice(po)
    rejected.submit(NOW)
    rejected.record_verdict(make_verdict(rejected, outcome="needs_approval"), approver_id=po.initiator_id, now=NOW)
    rejected.reject(po.initiator_id, is_admin=False, reason="wrong price", now=NOW)
    rejected.cancel(by_buyer=False, now=NOW)

    assert pending.events[-1].model_dump()["canceled_by"] == "buyer"
    assert rejected.events[-1].model_dump()["canceled_by"] == "supplier"


@pytest.mark.parametrize("by_buyer", [True, False])
def test_matching_and_approved_invoices_cannot_be_canceled(approved: Invoice, by_buyer: bool) -> None:
    with pytest.raises(InvoiceStateConflict):
        approved.cancel(by_buyer=by_buyer, now=NOW)


def test_every_change_raises_the_revision_that_events_carry(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
    revisions = [event.model_dump()["revision"] for event in invoice.events]
    assert revisions == sorted(set(revisions)) and len(revisions) == 2
