"""What every conversation event says, on whichever topic its document's events go: a comment or
a file added below a document of a purchase order (the order itself, an invoice against it), keyed
by the purchase order so that they keep their order with the document's other events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from shared.contracts.base import EventPayload


class CommentAdded(EventPayload):
    """A comment by either side; the other side is told of it. Each topic's event adds its document."""

    comment_id: UUID
    purchase_order_id: UUID
    tenant_id: UUID
    number: str
    supplier_id: UUID
    author_id: UUID
    author_role: Literal["buyer_admin", "buyer_user", "supplier"]
    author_name: str | None = None
    body: str
    created_at: datetime

    def key(self) -> str:
        return str(self.purchase_order_id)


class AttachmentAdded(EventPayload):
    """A file was attached (its description only; the bytes stay with the service that keeps it)."""

    attachment_id: UUID
    purchase_order_id: UUID
    tenant_id: UUID
    supplier_id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime

    def key(self) -> str:
        return str(self.purchase_order_id)
