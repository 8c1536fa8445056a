"""A re-match on a goods receipt: an invoice held only for ``not_received`` is approved once
matching says the receipts now cover it, unless a person decided first."""

from __future__ import annotations

from uuid import uuid4

from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from tests.invoicing.unit.fakes import NOW, make_invoice, make_verdict


def held_for_receipts(po: PurchaseOrder) -> Invoice:
    invoice = make_invoice(po)
    invoice.submit(NOW)
    held = make_verdict(invoice, "needs_approval", reasons=["not_received"])
    invoice.record_verdict(held, approver_id=po.initiator_id, now=NOW)
    invoice.events.clear()
    return invoice


def test_the_rematch_of_the_held_verdict_approves_the_invoice_without_a_person(po: PurchaseOrder) -> None:
    invoice = held_for_receipts(po)
    assert invoice.matching is not None
    rematch = make_verdict(invoice, rematch_of=invoice.matching.verdict_id)

    assert invoice.record_verdict(rematch, approver_id=po.initiator_id, now=NOW)

    assert invoice.status == "approved" and invoice.matching == rematch
    [approved] = invoice.events
    assert approved.event_type == "InvoiceApproved" and approved.auto_approved is True  # type: ignore[attr-defined]


def test_a_rematch_delivered_twice_approves_once(po: PurchaseOrder) -> None:
    invoice = held_for_receipts(po)
    assert invoice.matching is not None
    rematch = make_verdict(invoice, rematch_of=invoice.matching.verdict_id)
    invoice.record_verdict(rematch, approver_id=po.initiator_id, now=NOW)

    assert not invoice.record_verdict(rematch, approver_id=po.initiator_id, now=NOW)
    assert [event.event_type for event in invoice.events] == ["InvoiceApproved"]


def test_a_person_who_decided_first_stands(po: PurchaseOrder) -> None:
    invoice = held_for_receipts(po)
    assert invoice.matching is not None
    rematch = make_verdict(invoice, rematch_of=invoice.matching.verdict_id)
    invoice.reject(po.initiator_id, is_admin=False, reason="not what we ordered", now=NOW)

    assert not invoice.record_verdict(rematch, approver_id=po.initiator_id, now=NOW)
    assert invoice.status == "rejected"


def test_a_rematch_of_another_verdict_or_an_older_submission_changes_nothing(po: PurchaseOrder) -> None:
    invoice = held_for_receipts(po)
    assert invoice.matching is not None
    of_another = make_verdict(invoice, rematch_of=uuid4())
    older = make_verdict(invoice, rematch_of=invoice.matching.verdict_id, submission=invoice.submission - 1)

    assert not invoice.record_verdict(of_another, approver_id=po.initiator_id, now=NOW)
    assert not invoice.record_verdict(older, approver_id=po.initiator_id, now=NOW)
    assert invoice.status == "pending" and invoice.events == []


def test_a_rematch_that_still_holds_the_invoice_changes_nothing(po: PurchaseOrder) -> None:
    invoice = held_for_receipts(po)
    assert invoice.matching is not None
    still_held = make_verdict(
        invoice, "needs_approval", reasons=["not_received"], rematch_of=invoice.matching.verdict_id
    )

    assert not invoice.record_verdict(still_held, approver_id=po.initiator_id, now=NOW)
    assert invoice.status == "pending"
