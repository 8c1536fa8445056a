"""Comments and attachments: each tells the other side, except on a draft nobody else knows of."""

from __future__ import annotations

from uuid import uuid4

import pytest

from orders.domain.collaboration import Attachment, Comment
from orders.domain.errors import InvalidPurchaseOrder
from shared.contracts.orders import PurchaseOrderAttachmentAdded, PurchaseOrderCommentAdded
from tests.orders.unit.builders import NOW, draft, sent


def test_a_supplier_comment_on_a_sent_order_is_announced_to_the_initiator() -> None:
    order, author = sent(), uuid4()
    comment = Comment.on(order, author_id=author, author_role="supplier", author_name=None, body="When?", now=NOW)
    [event] = comment.events
    assert isinstance(event, PurchaseOrderCommentAdded)
    assert (event.initiator_id, event.author_id, event.author_role) == (order.initiator_id, author, "supplier")
    assert (event.purchase_order_id, event.number, event.supplier_id) == (order.id, order.number, order.supplier_id)
    assert (event.comment_id, event.body, event.author_name) == (comment.id, "When?", None)


def test_a_comment_on_a_draft_is_kept_but_announced_to_nobody() -> None:
    comment = Comment.on(draft(), author_id=uuid4(), author_role="buyer_user", author_name="Ann", body="x", now=NOW)
    assert comment.events == []


def test_a_comment_is_kept_and_announced_without_its_surrounding_whitespace() -> None:
    comment = Comment.on(sent(), author_id=uuid4(), author_role="supplier", author_name=None, body=" When? \n", now=NOW)
    [event] = comment.events
    assert isinstance(event, PurchaseOrderCommentAdded)
    assert comment.body == event.body == "When?"


@pytest.mark.parametrize("body", ["", "   \n", "x" * 5001])
def test_a_comment_needs_some_text_and_at_most_5000_characters(body: str) -> None:
    with pytest.raises(InvalidPurchaseOrder) as refused:
        Comment.on(sent(), author_id=uuid4(), author_role="buyer_admin", author_name=None, body=body, now=NOW)
    assert refused.value.errors[0]["field"] == "body"


def test_an_attachment_on_a_sent_order_is_announced_without_its_bytes() -> None:
    order, uploader = sent(), uuid4()
    attachment = Attachment.on(
        order, filename="spec.pdf", content_type="application/pdf", size=1234, uploaded_by=uploader, now=NOW
    )
    [event] = attachment.events
    assert isinstance(event, PurchaseOrderAttachmentAdded)
    assert (event.attachment_id, event.filename, event.size, event.uploaded_by) == (
        attachment.id,
        "spec.pdf",
        1234,
        uploader,
    )
    draft_attachment = Attachment.on(
        draft(), filename="a.txt", content_type="text/plain", size=1, uploaded_by=uploader, now=NOW
    )
    assert draft_attachment.events == []
