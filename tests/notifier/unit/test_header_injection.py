"""User text never becomes extra headers or recipients, and HTML bodies escape it."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.adapters.rendering import EmailRenderer
from notifier.domain import messages, rfps
from notifier.domain.headers import MAX_HEADER_TEXT, InvalidRecipient, header_text, single_address
from notifier.domain.read_models import SupplierContact
from tests.notifier import samples
from tests.notifier.rendered import PORTAL_URL, SENDER, SUPPLIER, SUPPLIER_ID, TENANT, render

EXPECTED_HEADERS = {
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "X-Portal-Template",
    "Content-Type",
    "MIME-Version",
}


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def _assert_only_intended_headers(message: EmailMessage, recipient: str) -> None:
    assert set(message.keys()) <= EXPECTED_HEADERS
    assert message.get_all("To") == [recipient]
    assert message.get_all("Bcc") is None and message.get_all("Cc") is None
    assert message.get_all("X-Injected") is None
    assert len(message.get_all("Subject") or []) == 1


def test_a_po_number_with_crlf_and_bcc_stays_inside_the_subject() -> None:
    po = samples.purchase_order(TENANT, SUPPLIER_ID, number="PO-1\r\nBcc: evil@x.example")
    message, _, _ = render(messages.purchase_order(po, SUPPLIER, b"%PDF"))

    _assert_only_intended_headers(message, "sales@acme.example")
    assert message["Subject"] == "New purchase order PO-1 Bcc: evil@x.example"


def test_a_supplier_name_with_a_newline_header_and_nul_adds_no_header() -> None:
    event = samples.invitation(TENANT, SUPPLIER_ID).model_copy(update={"supplier_name": "Acme\nX-Injected: 1\x00Ltd"})
    message, _, _ = render(messages.invitation(event))

    _assert_only_intended_headers(message, "owner@acme.example")
    assert message["Subject"] == "Invitation to the supplier portal for Acme X-Injected: 1 Ltd"


def test_invoice_and_po_numbers_with_line_breaks_stay_in_one_subject_line() -> None:
    invoice = samples.approved(TENANT, SUPPLIER_ID).model_copy(
        update={"number": "INV-1\rX-Injected: 1", "purchase_order_number": "PO-1\n\nbody"}
    )
    message, _, _ = render(messages.invoice_decided(invoice, SUPPLIER))

    _assert_only_intended_headers(message, "sales@acme.example")
    assert message["Subject"] == "Invoice INV-1 X-Injected: 1 for PO PO-1 body approved"


def test_an_rfp_title_with_a_header_line_stays_in_the_subject() -> None:
    rfp = samples.rfp_published(TENANT, SUPPLIER_ID, title="Bolts\r\nBcc: evil@x.example")
    message, _, _ = render(rfps.rfp_published(rfp, SUPPLIER))

    _assert_only_intended_headers(message, "sales@acme.example")
    assert message["Subject"] == "Request for proposals RFP-000001: Bolts Bcc: evil@x.example"


@pytest.mark.parametrize(
    "recipient",
    [
        "a@x.example, evil@x.example",
        "a@x.example\r\nBcc: evil@x.example",
        "a@x.example\nevil@x.example",
        "a@b@x.example",
        "Someone <a@x.example>",
        "a@x.example;evil@x.example",
        "a\x00@x.example",
        "",
        "no-at-sign",
    ],
)
def test_a_recipient_that_is_not_one_plain_address_is_refused(recipient: str) -> None:
    with pytest.raises(InvalidRecipient, match="not a single email address"):
        single_address(recipient)
    supplier = SupplierContact(
        supplier_id=SUPPLIER_ID, tenant_id=TENANT, name="Acme", email=recipient, contacts=(), revision=1
    )
    draft = messages.purchase_order_changed(samples.purchase_order_changed(TENANT, SUPPLIER_ID), supplier)
    with pytest.raises(InvalidRecipient):
        EmailRenderer(SENDER, PORTAL_URL).render(draft, email_id=uuid4(), now=samples.NOW)


def test_a_plain_address_is_accepted_as_is() -> None:
    assert single_address(" sales+po@acme.example ") == "sales+po@acme.example"


@given(st.text())
def test_header_text_is_always_one_short_line_without_control_characters(value: str) -> None:
    text = header_text(value)
    assert len(text) <= MAX_HEADER_TEXT
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text)
    assert "  " not in text and text == text.strip()


def test_a_long_subject_is_cut_with_an_ellipsis() -> None:
    assert header_text("x" * 1000) == "x" * (MAX_HEADER_TEXT - 1) + "…"


def test_html_templates_escape_user_text_and_plain_text_keeps_it() -> None:
    hostile = '<script>alert("x")</script>'
    supplier = SupplierContact(
        supplier_id=SUPPLIER_ID, tenant_id=TENANT, name=hostile, email="sales@acme.example", contacts=(), revision=1
    )
    po = samples.purchase_order(TENANT, SUPPLIER_ID, number="<b>PO-1</b>")
    _, plain, html = render(messages.purchase_order(po, supplier, b"%PDF"))

    assert "<script>" not in html and "<b>PO-1</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;PO-1&lt;/b&gt;" in html
    assert hostile in plain


def test_every_html_template_is_autoescaped() -> None:
    renderer = EmailRenderer(SENDER, PORTAL_URL)
    env = renderer._env  # the environment's policy is what is under test
    names = [name for name in env.list_templates() if name.endswith(".html.j2")]
    assert names
    for name in names:
        assert env.autoescape is not False
        assert callable(env.autoescape) and env.autoescape(name) is True
    assert env.autoescape("invitation.txt.j2") is False
