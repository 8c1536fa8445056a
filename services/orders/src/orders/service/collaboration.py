"""Use cases of comments and attachments on purchase orders (``shared.collaboration_service``):
whoever can see the order may read and add them, but a supplier whose buyer switched the supplier
portal off only reads them.

The order is loaded with the caller's scope first, so another party's order (and a draft, for
the supplier) is 404 before anything below it is read or written.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from orders.domain.collaboration import Attachment, Comment
from orders.domain.model import PurchaseOrder
from orders.domain.portal_switch import ensure_portal_on
from orders.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.collaboration_service import Conversation

_REFUSED = {"comment": "comment on the buyer's orders", "attachment": "attach files to the buyer's orders"}


class _OrderConversation:
    async def subject(self, uow: UnitOfWork, caller: Principal, subject_id: UUID) -> PurchaseOrder:
        return await uow.purchase_orders.get(subject_id, scope=caller)

    def ensure_writes(self, caller: Principal, subject: PurchaseOrder, what: str) -> None:
        ensure_portal_on(caller, subject.supplier_id, _REFUSED[what])

    async def comment(
        self, uow: UnitOfWork, caller: Principal, subject: PurchaseOrder, body: str, now: datetime
    ) -> Comment:
        # Tokens carry no display name; the notifier knows the users.
        return Comment.on(
            subject, author_id=caller.user_id, author_role=caller.role, author_name=None, body=body, now=now
        )

    def attachment(
        self, caller: Principal, subject: PurchaseOrder, filename: str, content_type: str, size: int, now: datetime
    ) -> Attachment:
        return Attachment.on(
            subject, filename=filename, content_type=content_type, size=size, uploaded_by=caller.user_id, now=now
        )


conversation = Conversation(_OrderConversation())
