"""Comments on an invoice: either side that follows its conversation writes them, and the
other side hears of each through ``InvoiceCommentAdded``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID, uuid4

from invoicing.domain.errors import InvalidComment
from invoicing.domain.model import Invoice
from shared.contracts.invoicing import InvoiceCommentAdded

MAX_COMMENT_LENGTH = 5000
AuthorRole = Literal["buyer_admin", "buyer_user", "supplier"]


@dataclass(frozen=True)
class Comment:
    id: UUID
    invoice_id: UUID
    tenant_id: UUID
    author_id: UUID
    author_role: AuthorRole
    author_name: str | None
    body: str
    created_at: datetime


def new_comment(
    invoice: Invoice,
    *,
    author_id: UUID,
    author_role: AuthorRole,
    author_name: str | None,
    body: str,
    initiator_id: UUID | None,
    now: datetime,
) -> tuple[Comment, InvoiceCommentAdded]:
    """The comment and the event that tells the other side; ``initiator_id`` is the PO's."""
    text = body.strip()
    if not text or len(text) > MAX_COMMENT_LENGTH:
        raise InvalidComment(
            f"a comment has 1 to {MAX_COMMENT_LENGTH} characters",
            errors=[{"field": "body", "message": f"1 to {MAX_COMMENT_LENGTH} characters"}],
        )
    comment = Comment(uuid4(), invoice.id, invoice.tenant_id, author_id, author_role, author_name, text, now)
    event = InvoiceCommentAdded(
        comment_id=comment.id,
        invoice_id=invoice.id,
        purchase_order_id=invoice.purchase_order_id,
        tenant_id=invoice.tenant_id,
        number=invoice.number,
        purchase_order_number=invoice.purchase_order_number,
        supplier_id=invoice.supplier_id,
        initiator_id=initiator_id,
        author_id=author_id,
        author_role=author_role,
        author_name=author_name,
        body=text,
        created_at=now,
    )
    return comment, event
