"""Use cases: tell the other side of a purchase order or invoice about a new comment.

The recipient comes from the read models (the initiator from users, the supplier from
suppliers); a missing one is retried, not dropped. A supplier's comment on an invoice nobody
raised on the buyer side has nobody to go to: it is skipped and logged.
"""

from __future__ import annotations

from uuid import UUID

import structlog

from notifier.domain import comments
from notifier.service.email_queue import Renderer, portal_user, queue_email, supplier_contact
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.invoicing import InvoiceCommentAdded
from shared.contracts.orders import PurchaseOrderCommentAdded

log = structlog.get_logger(__name__)


async def _recipient(
    uow: UnitOfWork, comment: PurchaseOrderCommentAdded | InvoiceCommentAdded
) -> tuple[str, str] | None:
    """The address and name of whom the comment goes to; None when nobody."""
    side = comments.comment_goes_to(comment.author_role, comment.initiator_id)
    if side == "initiator" and comment.initiator_id is not None:
        initiator = await portal_user(uow, comment.initiator_id, "initiator")
        return initiator.email, initiator.name
    if side == "supplier":
        supplier = await supplier_contact(uow, comment.supplier_id, comment.tenant_id)
        return supplier.email, supplier.name
    return None


async def email_purchase_order_comment(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, comment: PurchaseOrderCommentAdded
) -> None:
    recipient = await _recipient(uow, comment)
    if recipient is None:  # the contract guarantees an initiator on a PO; kept for symmetry
        log.info("comment email skipped: nobody to send it to", comment_id=str(comment.comment_id))
        return
    email, name = recipient
    draft = comments.purchase_order_comment(comment, recipient=email, recipient_name=name)
    await queue_email(uow, renderer, event_id, comment.tenant_id, draft)


async def email_invoice_comment(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, comment: InvoiceCommentAdded
) -> None:
    recipient = await _recipient(uow, comment)
    if recipient is None:
        log.info(
            "invoice comment email skipped: the invoice has no initiator to send it to",
            comment_id=str(comment.comment_id),
            invoice_id=str(comment.invoice_id),
        )
        return
    email, name = recipient
    draft = comments.invoice_comment(comment, recipient=email, recipient_name=name)
    await queue_email(uow, renderer, event_id, comment.tenant_id, draft)
