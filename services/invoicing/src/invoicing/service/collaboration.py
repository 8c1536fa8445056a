"""Use cases of an invoice's conversation: comments and attached files.

Both sides that can see an invoice take part, except in a supplier's draft, which is the
supplier's own until submitted (a draft the buyer wrote is shared with its supplier). Each new
comment or file records its event, which the unit of work moves to the outbox so that the other
side hears of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from invoicing.domain.access import may_follow_conversation
from invoicing.domain.collaboration import Attachment, Comment
from invoicing.domain.errors import InvoiceNotFound
from invoicing.domain.model import Invoice
from invoicing.service.unit_of_work import UnitOfWork
from shared import collaboration
from shared.auth import Principal
from shared.collaboration import Cursor, Upload
from shared.uploads import check_upload


async def _followed(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    invoice = await uow.invoices.get(invoice_id, scope=caller)
    if not may_follow_conversation(invoice, by_buyer=caller.is_buyer):
        raise InvoiceNotFound()  # as for another party's invoice: its existence is not revealed
    return invoice


async def add_comment(uow: UnitOfWork, caller: Principal, invoice_id: UUID, *, body: str) -> Comment:
    async with uow:
        invoice = await _followed(uow, caller, invoice_id)
        po = await uow.purchase_orders.find(invoice.purchase_order_id)
        comment = Comment.on(
            invoice,
            author_id=caller.user_id,
            author_role=caller.role,
            author_name=None,  # tokens carry no display name; the notifier knows the users
            body=body,
            initiator_id=po.initiator_id if po is not None else invoice.initiator_id,
            now=datetime.now(UTC),
        )
        await uow.save_comment(comment, tenant_id=invoice.tenant_id)
        await uow.commit()
    return comment


async def list_comments(
    uow: UnitOfWork, caller: Principal, invoice_id: UUID, *, limit: int, after: Cursor | None
) -> Sequence[collaboration.Comment]:
    async with uow:
        invoice = await _followed(uow, caller, invoice_id)
        return await uow.comments.list(invoice.id, limit=limit, after=after)


async def add_attachment(
    uow: UnitOfWork, caller: Principal, invoice_id: UUID, upload: Upload, *, max_bytes: int
) -> Attachment:
    async with uow:
        invoice = await _followed(uow, caller, invoice_id)
        filename, content_type = check_upload(upload.filename, upload.content_type, upload.content, max_bytes=max_bytes)
        attachment = Attachment.on(
            invoice,
            filename=filename,
            content_type=content_type,
            size=len(upload.content),
            uploaded_by=caller.user_id,
            now=datetime.now(UTC),
        )
        await uow.save_attachment(attachment, upload.content, tenant_id=invoice.tenant_id)
        await uow.commit()
    return attachment


async def list_attachments(
    uow: UnitOfWork, caller: Principal, invoice_id: UUID, *, limit: int, after: Cursor | None
) -> Sequence[collaboration.Attachment]:
    async with uow:
        invoice = await _followed(uow, caller, invoice_id)
        return await uow.attachments.list(invoice.id, limit=limit, after=after)


async def attachment_content(
    uow: UnitOfWork, caller: Principal, invoice_id: UUID, attachment_id: UUID
) -> tuple[collaboration.Attachment, bytes]:
    async with uow:
        invoice = await _followed(uow, caller, invoice_id)
        return await uow.attachments.get(invoice.id, attachment_id)
