"""Comments and attachments on a purchase order: both sides talk about the order they can see.

Each records its event for the other side (the notifier tells them). A draft is the buyer's
private work, so what is added to a draft is kept but announced to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from orders.domain.errors import InvalidPurchaseOrder
from orders.domain.model import PurchaseOrder
from shared.collaboration import AuthorRole, comment_text
from shared.contracts.base import EventPayload
from shared.contracts.orders import PurchaseOrderAttachmentAdded, PurchaseOrderCommentAdded


@dataclass(frozen=True)
class Comment:
    id: UUID
    purchase_order_id: UUID
    author_id: UUID
    author_role: AuthorRole
    author_name: str | None
    body: str
    created_at: datetime
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def on(
        cls,
        order: PurchaseOrder,
        *,
        author_id: UUID,
        author_role: AuthorRole,
        author_name: str | None,
        body: str,
        now: datetime,
    ) -> Comment:
        text = comment_text(body, refused=InvalidPurchaseOrder)
        comment = cls(uuid4(), order.id, author_id, author_role, author_name, text, now)
        if order.published:
            comment.events.append(
                PurchaseOrderCommentAdded(
                    comment_id=comment.id,
                    purchase_order_id=order.id,
                    tenant_id=order.tenant_id,
                    number=order.number,
                    supplier_id=order.supplier_id,
                    initiator_id=order.initiator_id,
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
    purchase_order_id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def on(
        cls, order: PurchaseOrder, *, filename: str, content_type: str, size: int, uploaded_by: UUID, now: datetime
    ) -> Attachment:
        """An attachment of an already checked upload (safe name, allowed type)."""
        attachment = cls(uuid4(), order.id, filename, content_type, size, uploaded_by, now)
        if order.published:
            attachment.events.append(
                PurchaseOrderAttachmentAdded(
                    attachment_id=attachment.id,
                    purchase_order_id=order.id,
                    tenant_id=order.tenant_id,
                    supplier_id=order.supplier_id,
                    filename=filename,
                    content_type=content_type,
                    size=size,
                    uploaded_by=uploaded_by,
                    created_at=now,
                )
            )
        return attachment
