"""The buyer's issue-date setting at submission, and why an invoice that is not approved
cannot be paid, said for each status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.domain.errors import InvoiceStateConflict, IssueDateRequired
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from tests.invoicing.unit.fakes import NOW, make_invoice, make_verdict


def test_a_buyer_requiring_an_issue_date_refuses_a_submission_without_one(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    with pytest.raises(IssueDateRequired) as refused:
        invoice.submit(NOW, issue_date_required=True)
    assert refused.value.status == 422
    assert refused.value.errors[0]["field"] == "issue_date"
    assert "buyer requires an issue date" in refused.value.detail
    assert (invoice.status, invoice.events) == ("draft", [])


def test_with_an_issue_date_or_without_the_requirement_the_invoice_is_submitted(po: PurchaseOrder) -> None:
    without_requirement = make_invoice(po)
    without_requirement.submit(NOW, issue_date_required=False)
    dated = make_invoice(po)
    dated.edit({"issue_date": date(2026, 3, 1)}, NOW)
    dated.submit(NOW, issue_date_required=True)
    assert without_requirement.status == dated.status == "matching"


def _in_status(po: PurchaseOrder, status: str) -> Invoice:
    invoice = make_invoice(po)
    if status == "draft":
        return invoice
    if status == "canceled":
        invoice.cancel(by_buyer=False, now=NOW)
        return invoice
    invoice.submit(NOW)
    if status == "matching":
        return invoice
    outcome = "auto_approved" if status == "paid" else "needs_approval"
    invoice.record_verdict(make_verdict(invoice, outcome), approver_id=po.initiator_id, now=NOW)
    if status == "rejected":
        invoice.reject(po.initiator_id, is_admin=True, reason="no", now=NOW)
    if status == "paid":
        invoice.record_payment(invoice.net_total, NOW)
    assert invoice.status == status
    return invoice


@pytest.mark.parametrize(
    ("status", "because"),
    [
        ("draft", "is a draft that was never submitted, so it is not approved"),
        ("matching", "is still being matched against its purchase order, so it is not approved yet"),
        ("pending", "is pending approval"),
        ("rejected", "was rejected"),
        ("canceled", "was canceled"),
        ("paid", "is already paid in full"),
    ],
)
def test_a_payment_on_an_invoice_that_is_not_payable_says_why(po: PurchaseOrder, status: str, because: str) -> None:
    invoice = _in_status(po, status)
    with pytest.raises(InvoiceStateConflict) as refused:
        invoice.record_payment(Decimal("1.00"), NOW)
    assert refused.value.detail == f"invoice INV-1 {because}; only approved invoices can be paid"
    assert refused.value.status == 409
