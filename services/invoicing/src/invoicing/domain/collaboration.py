"""Comments and attachments on an invoice: either side that follows its conversation adds them,
and each records its event for the other side (``InvoiceCommentAdded``,
``InvoiceAttachmentAdded``), which the notifier tells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from invoicing.domain.errors import InvalidComment
from invoicing.domain.model import Invoice
from shared.collaboration import AuthorRole, comment_text
from shared.contracts.base import EventPayload
from shared.contracts.invoicing import InvoiceAttachmentAdded, InvoiceCommentAdded


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
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def on(
        cls,
        invoice: Invoice,
        *,
        author_id: UUID,
        author_role: AuthorRole,
        author_name: str | None,
        body: str,
        initiator_id: UUID | None,
        now: datetime,
    ) -> Comment:
        """``initiator_id`` is the purchase order's: the buyer's side the comment is told to."""
        text = comment_text(body, refused=InvalidComment)
        comment = cls(uuid4(), invoice.id, invoice.tenant_id, author_id, author_role, author_name, text, now)
        comment.events.append(
            InvoiceCommentAdded(
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
        )
        return comment


@dataclass(frozen=True)
class Attachment:
    """A file's description; its bytes are stored beside it, by id, never under its name."""

    id: UUID
    invoice_id: UUID
    tenant_id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def on(
        cls, invoice: Invoice, *, filename: str, content_type: str, size: int, uploaded_by: UUID, now: datetime
    ) -> Attachment:
        """An attachment of an already checked upload (safe name, allowed type)."""
        attachment = cls(uuid4(), invoice.id, invoice.tenant_id, filename, content_type, size, uploaded_by, now)
        attachment.events.append(
            InvoiceAttachmentAdded(
                attachment_id=attachment.id,
                invoice_id=invoice.id,
                purchase_order_id=invoice.purchase_order_id,
                tenant_id=invoice.tenant_id,
                supplier_id=invoice.supplier_id,
                filename=filename,
                content_type=content_type,
                size=size,
                uploaded_by=uploaded_by,
                created_at=now,
            )
        )
        return attachment
