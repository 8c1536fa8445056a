"""Use cases of comments and attachments: whoever can see the order may read and add them,
but a supplier whose buyer switched the supplier portal off only reads them.

The order is loaded with the caller's scope first, so another party's order (and a draft, for
the supplier) is 404 before anything below it is read or written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from orders.domain.collaboration import Attachment, Comment
from orders.domain.portal_switch import ensure_portal_on
from orders.service.unit_of_work import UnitOfWork
from shared import collaboration
from shared.auth import Principal
from shared.collaboration import Cursor, Upload
from shared.uploads import check_upload


async def add_comment(uow: UnitOfWork, caller: Principal, order_id: UUID, *, body: str) -> Comment:
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller)
        ensure_portal_on(caller, order.supplier_id, "comment on the buyer's orders")
        comment = Comment.on(
            order,
            author_id=caller.user_id,
            author_role=caller.role,
            author_name=None,  # tokens carry no display name; the notifier knows the users
            body=body,
            now=datetime.now(UTC),
        )
        await uow.save_comment(comment, tenant_id=order.tenant_id)
        await uow.commit()
    return comment


async def list_comments(
    uow: UnitOfWork, caller: Principal, order_id: UUID, *, limit: int, after: Cursor | None
) -> Sequence[collaboration.Comment]:
    async with uow:
        await uow.purchase_orders.get(order_id, scope=caller)
        return await uow.comments.list(order_id, limit=limit, after=after)


async def add_attachment(
    uow: UnitOfWork, caller: Principal, order_id: UUID, upload: Upload, *, max_bytes: int
) -> Attachment:
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller)
        ensure_portal_on(caller, order.supplier_id, "attach files to the buyer's orders")
        filename, content_type = check_upload(upload.filename, upload.content_type, upload.content, max_bytes=max_bytes)
        attachment = Attachment.on(
            order,
            filename=filename,
            content_type=content_type,
            size=len(upload.content),
            uploaded_by=caller.user_id,
            now=datetime.now(UTC),
        )
        await uow.save_attachment(attachment, upload.content, tenant_id=order.tenant_id)
        await uow.commit()
    return attachment


async def list_attachments(
    uow: UnitOfWork, caller: Principal, order_id: UUID, *, limit: int, after: Cursor | None
) -> Sequence[collaboration.Attachment]:
    async with uow:
        await uow.purchase_orders.get(order_id, scope=caller)
        return await uow.attachments.list(order_id, limit=limit, after=after)


async def attachment_content(
    uow: UnitOfWork, caller: Principal, order_id: UUID, attachment_id: UUID
) -> tuple[collaboration.Attachment, bytes]:
    async with uow:
        await uow.purchase_orders.get(order_id, scope=caller)
        return await uow.attachments.get(order_id, attachment_id)
