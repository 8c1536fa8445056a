"""Comments and attachments on a purchase order: both sides talk about the order they can see.

Each records its event for the other side (the notifier tells them). A draft is the buyer's
private work, so what is added to a draft is kept but announced to nobody.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from orders.domain.errors import InvalidPurchaseOrder
from orders.domain.model import PurchaseOrder
from shared import collaboration
from shared.collaboration import AuthorRole
from shared.contracts.orders import PurchaseOrderAttachmentAdded, PurchaseOrderCommentAdded
from shared.fields import made_of


class Comment(collaboration.Comment):
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
        comment = cls.written(
            order.id, author_id, author_role, author_name, body, now=now, refused=InvalidPurchaseOrder
        )
        if order.published:
            comment.events.append(
                made_of(PurchaseOrderCommentAdded, order, **comment.told(), purchase_order_id=order.id)
            )
        return comment


class Attachment(collaboration.Attachment):
    @classmethod
    def on(
        cls, order: PurchaseOrder, *, filename: str, content_type: str, size: int, uploaded_by: UUID, now: datetime
    ) -> Attachment:
        """An attachment of an already checked upload (safe name, allowed type)."""
        attachment = cls.added(order.id, filename, content_type, size, uploaded_by, now=now)
        if order.published:
            attachment.events.append(
                made_of(PurchaseOrderAttachmentAdded, order, **attachment.told(), purchase_order_id=order.id)
            )
        return attachment
