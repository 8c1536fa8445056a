"""Use cases of an invoice's conversation, comments and attached files
(``shared.collaboration_service``).

Both sides that can see an invoice take part, except in a supplier's draft, which is the
supplier's own until submitted (a draft the buyer wrote is shared with its supplier). Each new
comment or file records its event, which the unit of work moves to the outbox so that the other
side hears of it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from invoicing.domain.access import may_follow_conversation
from invoicing.domain.collaboration import Attachment, Comment
from invoicing.domain.errors import InvoiceNotFound
from invoicing.domain.model import Invoice
from invoicing.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.collaboration_service import Conversation


class _InvoiceConversation:
    async def subject(self, uow: UnitOfWork, caller: Principal, subject_id: UUID) -> Invoice:
        invoice = await uow.invoices.get(subject_id, scope=caller)
        if not may_follow_conversation(invoice, by_buyer=caller.is_buyer):
            raise InvoiceNotFound()  # as for another party's invoice: its existence is not revealed
        return invoice

    def ensure_writes(self, caller: Principal, subject: Invoice, what: str) -> None:
        """Whoever follows the conversation writes in it."""

    async def comment(self, uow: UnitOfWork, caller: Principal, subject: Invoice, body: str, now: datetime) -> Comment:
        po = await uow.purchase_orders.find(subject.purchase_order_id)
        return Comment.on(
            subject,
            author_id=caller.user_id,
            author_role=caller.role,
            author_name=None,  # tokens carry no display name; the notifier knows the users
            body=body,
            initiator_id=po.initiator_id if po is not None else subject.initiator_id,
            now=now,
        )

    def attachment(
        self, caller: Principal, subject: Invoice, filename: str, content_type: str, size: int, now: datetime
    ) -> Attachment:
        return Attachment.on(
            subject, filename=filename, content_type=content_type, size=size, uploaded_by=caller.user_id, now=now
        )


conversation = Conversation(_InvoiceConversation())
