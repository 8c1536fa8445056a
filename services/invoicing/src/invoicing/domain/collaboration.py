"""Comments and attachments on an invoice: either side that follows its conversation adds them,
and each records its event for the other side (``InvoiceCommentAdded``,
``InvoiceAttachmentAdded``), which the notifier tells.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from invoicing.domain.errors import InvalidComment
from invoicing.domain.model import Invoice
from shared import collaboration
from shared.collaboration import AuthorRole
from shared.contracts.invoicing import InvoiceAttachmentAdded, InvoiceCommentAdded
from shared.fields import made_of


class Comment(collaboration.Comment):
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
        comment = cls.written(invoice.id, author_id, author_role, author_name, body, now=now, refused=InvalidComment)
        comment.events.append(
            made_of(InvoiceCommentAdded, invoice, **comment.told(), invoice_id=invoice.id, initiator_id=initiator_id)
        )
        return comment


class Attachment(collaboration.Attachment):
    @classmethod
    def on(
        cls, invoice: Invoice, *, filename: str, content_type: str, size: int, uploaded_by: UUID, now: datetime
    ) -> Attachment:
        """An attachment of an already checked upload (safe name, allowed type)."""
        attachment = cls.added(invoice.id, filename, content_type, size, uploaded_by, now=now)
        attachment.events.append(made_of(InvoiceAttachmentAdded, invoice, **attachment.told(), invoice_id=invoice.id))
        return attachment
