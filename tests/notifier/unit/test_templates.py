"""Every email renders a subject, a plain text and an HTML body with the event's facts."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from notifier.domain import messages
from shared.contracts.matching import PossibleDuplicate
from tests.notifier import samples
from tests.notifier.rendered import APPROVER, SENDER, SUPPLIER, SUPPLIER_ID, TENANT, render


def test_invitation_carries_the_accept_link_as_html_link_and_plain_text() -> None:
    event = samples.invitation(TENANT, SUPPLIER_ID)
    message, plain, html = render(messages.invitation(event))

    assert message["To"] == "owner@acme.example"
    assert message["Subject"] == "Invitation to the supplier portal for Acme Tools"
    # The stored message shows the link with its token withheld; the sender opens the sealed one.
    assert event.accept_url.endswith("/invitations/link-withheld") and samples.TOKEN not in plain + html
    assert event.accept_url in plain
    assert f'href="{event.accept_url}"' in html
    assert "Acme Tools" in plain and "Acme Tools" in html
    assert "2026-11-30 09:30 UTC" in plain


def test_purchase_order_email_lists_number_delivery_date_total_lines_and_attaches_the_pdf() -> None:
    po = samples.purchase_order(TENANT, SUPPLIER_ID)
    message, plain, html = render(messages.purchase_order(po, SUPPLIER, b"%PDF-1.4 test"))

    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "New purchase order PO-2026-0042"
    for body in (plain, html):
        assert "PO-2026-0042" in body
        assert "2026-12-15" in body
        assert "4,475.00 EUR" in body
        assert "Hex bolt M8" in body and "Steel plate 2mm" in body
        assert "0.125 EUR" in body  # a price finer than cents is shown, never rounded
        assert "4,350.00 EUR" in body
    assert "1. Hex bolt M8 [HB-M8]: 1000 pcs x 0.125 EUR = 125.00 EUR" in plain
    assert "2. Steel plate 2mm: 12.5 m2 x 348.00 EUR = 4,350.00 EUR" in plain
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "PO-2026-0042.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"


def test_purchase_order_number_never_becomes_a_path_in_the_attachment_name() -> None:
    po = samples.purchase_order(TENANT, SUPPLIER_ID, number="../PO/7")
    draft = messages.purchase_order(po, SUPPLIER, b"%PDF")
    assert draft.attachments[0].filename == "PO-7.pdf"


def test_approval_request_goes_to_the_initiator_with_invoice_po_and_net_total() -> None:
    invoice = samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id)
    message, plain, html = render(messages.approval_request(invoice, APPROVER, SUPPLIER))

    assert message["To"] == "irene@buyer.example"
    assert message["Subject"] == "Invoice INV-77 for PO PO-2026-0042 needs your approval"
    for body in (plain, html):
        assert "Irene Initiator" in body
        assert "INV-77" in body and "PO-2026-0042" in body
        assert "4,712.30 EUR" in body
        assert "Acme Tools" in body


def test_approval_request_says_why_the_invoice_is_held_in_words() -> None:
    held = samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id)
    duplicate = {"invoice_id": uuid4(), "number": "INV-0077", "purchase_order_id": uuid4(), "same": "number"}
    invoice = held.model_copy(
        update={
            "reasons": ["not_received", "possible_duplicate"],
            "possible_duplicates": [PossibleDuplicate.model_validate(duplicate)],
        }
    )
    _, plain, html = render(messages.approval_request(invoice, APPROVER, SUPPLIER))

    for body in (plain, html):
        assert "Why it is held" in body
        assert "More is invoiced than the goods receipts say has arrived." in body
        assert "It may duplicate another invoice" in body
        assert "Possibly the same as: INV-0077" in body


def test_approval_request_without_reasons_from_an_older_event_says_no_list() -> None:
    invoice = samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id)
    _, plain, html = render(messages.approval_request(invoice, APPROVER, SUPPLIER))
    assert "Why it is held" not in plain and "Why it is held" not in html


def test_approval_request_renders_without_the_supplier_read_model() -> None:
    invoice = samples.approval_requested(TENANT, SUPPLIER_ID, APPROVER.user_id)
    _, plain, _ = render(messages.approval_request(invoice, APPROVER, None))
    assert "Supplier:" not in plain


def test_approved_invoice_tells_the_supplier() -> None:
    message, plain, html = render(messages.invoice_decided(samples.approved(TENANT, SUPPLIER_ID), SUPPLIER))
    assert message["To"] == "sales@acme.example"
    assert message["Subject"] == "Invoice INV-77 for PO PO-2026-0042 approved"
    assert "has been approved" in plain and "has been approved" in html
    assert "4,712.30 EUR" in plain and "4,712.30 EUR" in html


def test_rejected_invoice_tells_the_supplier_the_reason_escaped_in_html() -> None:
    invoice = samples.rejected(TENANT, SUPPLIER_ID, reason="Price <script> & terms differ")
    message, plain, html = render(messages.invoice_decided(invoice, SUPPLIER))
    assert message["Subject"] == "Invoice INV-77 for PO PO-2026-0042 rejected"
    assert "Reason: Price <script> & terms differ" in plain
    assert "Price &lt;script&gt; &amp; terms differ" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    "amount, paid_total, state, outstanding",
    [("1000.00", "1000.00", "Partly paid", "3,712.30 EUR"), ("3712.30", "4712.30", "Paid", None)],
)
def test_payment_email_says_partly_paid_or_paid_with_amount_and_paid_total(
    amount: str, paid_total: str, state: str, outstanding: str | None
) -> None:
    invoice = samples.payment(TENANT, SUPPLIER_ID, amount=amount, paid_total=paid_total)
    message, plain, html = render(messages.payment_recorded(invoice, SUPPLIER))

    assert message["Subject"] == f"Invoice INV-77: {state}"
    amount_text = messages.format_money(invoice.payment.amount, "EUR")
    total_text = messages.format_money(invoice.paid_total, "EUR")
    for body in (plain, html):
        assert state in body
        assert amount_text in body
        assert f"{total_text} of 4,712.30 EUR" in body
        assert ("Balance due" in body and outstanding in body) if outstanding else ("Balance due" not in body)


def test_message_id_is_derived_from_the_email_id() -> None:
    email_id = uuid4()
    message, _, _ = render(messages.invitation(samples.invitation(TENANT, SUPPLIER_ID)), email_id)
    assert message["Message-ID"] == f"<{email_id}@supplier-portal.local>"
    assert message["From"] == SENDER
    assert re.match(r"^multipart/alternative$", message.get_content_type())
