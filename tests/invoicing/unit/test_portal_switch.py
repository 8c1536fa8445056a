"""Who writes invoices: the supplier, and while the buyer's supplier portal is off also the
buyer's staff on its behalf, the supplier then billing only what is still owed; and which switch
change deletes supplier drafts."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.domain.access import (
    ensure_may_cancel,
    ensure_may_change,
    ensure_may_create,
    ensure_only_what_remains,
    ensure_still_to_invoice,
    may_follow_conversation,
    still_to_invoice,
)
from invoicing.domain.errors import BeyondWhatRemains, NotAllowed, PurchaseOrderNotFound, PurchaseOrderNotInvoiceable
from invoicing.domain.lines import LineDraft, build_lines, prefill
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import OrganisationSettings, PurchaseOrder, switches_portal_off
from tests.invoicing.unit.fakes import NOW, make_invoice, make_po, make_verdict

TENANT = uuid4()
ON = OrganisationSettings(TENANT, "Buyer", supplier_portal_enabled=True, revision=1)
OFF = OrganisationSettings(TENANT, "Buyer", supplier_portal_enabled=False, revision=2)


def buyer_draft(po: PurchaseOrder) -> Invoice:
    return Invoice.draft(po=po, number="B-1", issue_date=None, lines=prefill(po, {}), now=NOW, created_by_buyer=True)


def billing(po: PurchaseOrder, *quantities: str) -> list[LineDraft]:
    """Lines billing ``quantities[i]`` of the PO's line i at its price."""
    return [LineDraft(ln.line_id, Decimal(q), ln.unit_price) for ln, q in zip(po.lines, quantities, strict=False)]


def test_an_unknown_organisation_has_the_portal_on_and_no_issue_date_required() -> None:
    unknown = OrganisationSettings.unknown(TENANT)
    assert unknown.supplier_portal_enabled is True
    assert unknown.invoice_issue_date_required is False


def test_while_the_portal_is_on_only_suppliers_create_invoices() -> None:
    ensure_may_create(by_buyer=False, portal=ON)
    with pytest.raises(NotAllowed, match="switched off"):
        ensure_may_create(by_buyer=True, portal=ON)


def test_while_the_portal_is_off_buyers_and_suppliers_create_invoices() -> None:
    ensure_may_create(by_buyer=True, portal=OFF)
    ensure_may_create(by_buyer=False, portal=OFF)


@pytest.mark.parametrize("check", [ensure_may_change, ensure_may_cancel])
def test_a_supplier_changes_and_cancels_its_own_invoices(po: PurchaseOrder, check) -> None:  # type: ignore[no-untyped-def]
    check(make_invoice(po), by_buyer=False)


def test_the_buyer_changes_the_invoices_it_created_and_the_supplier_does_not(po: PurchaseOrder) -> None:
    invoice = buyer_draft(po)
    ensure_may_change(invoice, by_buyer=True)
    ensure_may_cancel(invoice, by_buyer=True)
    with pytest.raises(NotAllowed, match="on the supplier's behalf"):
        ensure_may_change(invoice, by_buyer=False)


def test_the_buyer_never_edits_or_submits_a_supplier_invoice_but_may_cancel_it(po: PurchaseOrder) -> None:
    invoice = make_invoice(po)
    with pytest.raises(NotAllowed, match="only the supplier's users"):
        ensure_may_change(invoice, by_buyer=True)
    ensure_may_cancel(invoice, by_buyer=True)


@pytest.mark.parametrize("status", ["sent", "acknowledged", "partially_invoiced"])
def test_an_open_order_with_something_left_stays_to_invoice(status: str) -> None:
    po = make_po(("10", "100.00"), ("5", "20.00"), status=status)
    assert still_to_invoice(po, {po.lines[0].line_id: Decimal("10")})
    ensure_still_to_invoice(po, {})


@pytest.mark.parametrize("status", ["fully_invoiced", "canceled", "closed", "draft"])
def test_an_order_no_longer_open_is_not_found_by_a_restricted_supplier(status: str) -> None:
    po = make_po(("10", "100.00"), status=status)
    assert not still_to_invoice(po, {})
    with pytest.raises(PurchaseOrderNotFound) as hidden:
        ensure_still_to_invoice(po, {})
    assert hidden.value.status == 404


def test_an_order_its_live_invoices_cover_is_fully_invoiced_whatever_their_status() -> None:
    po = make_po(("10", "100.00"), ("5", "20.00"), status="partially_invoiced")
    claimed = {po.lines[0].line_id: Decimal("10"), po.lines[1].line_id: Decimal("6")}
    assert not still_to_invoice(po, claimed)
    with pytest.raises(PurchaseOrderNotFound):
        ensure_still_to_invoice(po, claimed)


def test_a_restricted_supplier_invoices_exactly_what_remains() -> None:
    po = make_po(("10", "100.00"), ("5", "20.00"))
    claimed = {po.lines[0].line_id: Decimal("4")}
    ensure_only_what_remains(po, build_lines(billing(po, "6", "5"), po), claimed)
    ensure_only_what_remains(po, build_lines(billing(po, "2.5"), po), claimed)


def test_a_restricted_supplier_is_told_each_line_beyond_what_remains() -> None:
    po = make_po(("10", "100.00"), ("5", "20.00"))
    claimed = {po.lines[0].line_id: Decimal("4.000")}
    with pytest.raises(BeyondWhatRemains) as refused:
        ensure_only_what_remains(po, build_lines(billing(po, "6.001", "6"), po), claimed)
    assert refused.value.status == 422
    assert refused.value.errors == [
        {"field": "lines.0.quantity", "message": "at most 6 remains to invoice on this purchase order line"},
        {"field": "lines.1.quantity", "message": "at most 5 remains to invoice on this purchase order line"},
    ]
    assert "switched its supplier portal off" in str(refused.value)


def test_two_lines_on_one_order_line_together_stay_within_what_remains() -> None:
    po = make_po(("10", "100.00"))
    line = po.lines[0]
    twice = [
        LineDraft(line.line_id, Decimal("6"), line.unit_price),
        LineDraft(line.line_id, Decimal("5"), line.unit_price),
    ]
    with pytest.raises(BeyondWhatRemains) as refused:
        ensure_only_what_remains(po, build_lines(twice, po), {})
    assert [e["field"] for e in refused.value.errors] == ["lines.1.quantity"]


def test_a_restricted_supplier_adds_no_new_items() -> None:
    po = make_po(("10", "100.00"))
    lines = build_lines([*billing(po, "1"), LineDraft(None, Decimal("1"), Decimal("9.00"), "Freight")], po)
    with pytest.raises(BeyondWhatRemains) as refused:
        ensure_only_what_remains(po, lines, {})
    assert refused.value.errors == [
        {
            "field": "lines.1.purchase_order_line_id",
            "message": "new items cannot be invoiced while the buyer's supplier portal is switched off",
        }
    ]


def test_a_restricted_supplier_does_not_bill_a_closed_order() -> None:
    po = make_po(("10", "100.00"), status="closed")
    with pytest.raises(PurchaseOrderNotInvoiceable):
        ensure_only_what_remains(po, build_lines(billing(po, "1"), po), {})


quantities = st.decimals(min_value="0.001", max_value=1000, places=3)


@given(
    ordered=st.lists(quantities, min_size=1, max_size=4),
    claimed=st.lists(st.decimals(min_value=0, max_value=1200, places=3), min_size=4, max_size=4),
    billed=st.lists(st.tuples(st.integers(min_value=0, max_value=3), quantities), min_size=1, max_size=6),
)
def test_a_restricted_supplier_never_bills_more_than_remains(ordered, claimed, billed) -> None:  # type: ignore[no-untyped-def]
    po = make_po(*((str(q), "1.00") for q in ordered))
    claims = {line.line_id: claimed[index] for index, line in enumerate(po.lines)}
    drafts = [LineDraft(po.lines[i % len(po.lines)].line_id, q, Decimal("1.00")) for i, q in billed]
    lines = build_lines(drafts, po)
    totals: dict = {}
    for line in lines:
        totals[line.purchase_order_line_id] = totals.get(line.purchase_order_line_id, Decimal(0)) + line.quantity
    within = all(total <= max(po.line(i).quantity - claims[i], Decimal(0)) for i, total in totals.items())  # type: ignore[union-attr]
    try:
        ensure_only_what_remains(po, lines, claims)
    except BeyondWhatRemains:
        assert not within
    else:
        assert within
    if still_to_invoice(po, claims):
        ensure_only_what_remains(po, prefill(po, claims), claims)  # what is prefilled always fits


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
