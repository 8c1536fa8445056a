"""Comments and attachments as events for the other side, and the count of invoices by status."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.domain.collaboration import Attachment, Comment
from invoicing.domain.errors import InvalidComment
from invoicing.domain.read_models import PurchaseOrder
from invoicing.domain.summary import ALL_STATUSES, invoices_by_status
from shared.collaboration import MAX_COMMENT_LENGTH
from tests.invoicing.unit.fakes import NOW, make_invoice


def test_a_comment_tells_the_other_side_with_the_po_initiator_and_the_invoice_it_is_on(po: PurchaseOrder) -> None:
    invoice, author = make_invoice(po), uuid4()
    comment = Comment.on(
        invoice,
        author_id=author,
        author_role="supplier",
        author_name=None,
        body="  when will you pay?  ",
        initiator_id=po.initiator_id,
        now=NOW,
    )
    [event] = comment.events
    assert comment.body == event.body == "when will you pay?"
    assert (event.event_type, event.comment_id, event.invoice_id) == ("InvoiceCommentAdded", comment.id, invoice.id)
    assert (event.initiator_id, event.author_id, event.author_role) == (po.initiator_id, author, "supplier")
    assert (event.number, event.purchase_order_number, event.supplier_id) == ("INV-1", "PO-1", po.supplier_id)
    assert event.key() == str(po.id)


@pytest.mark.parametrize("body", ["", "   ", "x" * (MAX_COMMENT_LENGTH + 1)])
def test_a_comment_has_one_to_five_thousand_characters(po: PurchaseOrder, body: str) -> None:
    with pytest.raises(InvalidComment) as refused:
        Comment.on(
            make_invoice(po),
            author_id=uuid4(),
            author_role="buyer_user",
            author_name=None,
            body=body,
            initiator_id=None,
            now=NOW,
        )
    assert refused.value.errors[0]["field"] == "body"


def test_an_attachment_event_carries_the_file_metadata_but_never_its_bytes(po: PurchaseOrder) -> None:
    invoice, uploader = make_invoice(po), uuid4()
    attachment = Attachment.on(
        invoice, filename="receipt.pdf", content_type="application/pdf", size=1234, uploaded_by=uploader, now=NOW
    )
    [event] = attachment.events
    assert (event.attachment_id, event.invoice_id, event.tenant_id) == (attachment.id, invoice.id, invoice.tenant_id)
    assert (event.filename, event.content_type, event.size, event.uploaded_by) == (
        "receipt.pdf",
        "application/pdf",
        1234,
        uploader,
    )
    assert event.key() == str(po.id)


@given(st.dictionaries(st.sampled_from(ALL_STATUSES), st.integers(min_value=1, max_value=10_000)))
def test_the_summary_names_every_status_and_keeps_the_counts(counted: dict[str, int]) -> None:
    summary = invoices_by_status(counted)
    assert list(summary) == list(ALL_STATUSES)
    assert all(summary[status] == counted.get(status, 0) for status in ALL_STATUSES)


def test_the_summary_of_no_invoices_has_every_status_at_zero() -> None:
    assert invoices_by_status({}) == {
        "draft": 0,
        "matching": 0,
        "pending": 0,
        "approved": 0,
        "rejected": 0,
        "canceled": 0,
        "partly_paid": 0,
        "paid": 0,
    }
