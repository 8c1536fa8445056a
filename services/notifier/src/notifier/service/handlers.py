"""Emails that the other services' events call for: an invitation, a purchase order sent or
changed, and an invoice's approval request, decision or payment.

The event handlers run inside a unit of work that the consumer opened (after its inbox check)
and commits: the queued email is part of the same transaction as the inbox record.
"""

from __future__ import annotations

from uuid import UUID

from notifier.adapters.pdf import purchase_order_pdf
from notifier.domain import messages
from notifier.domain.errors import RecipientNotKnownYet
from notifier.domain.messages import EmailDraft
from notifier.service.email_queue import Renderer, portal_user, queue_email, supplier_contact
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.identity import SupplierInvitationIssued
from shared.contracts.invoicing import (
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoicePaymentRecorded,
    InvoiceRejected,
    InvoiceSnapshot,
)
from shared.contracts.orders import GoodsReceiptRecorded, PurchaseOrderChanged, PurchaseOrderSubmitted


async def email_invitation(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, invitation: SupplierInvitationIssued
) -> None:
    await queue_email(uow, renderer, event_id, invitation.tenant_id, messages.invitation(invitation))


async def email_purchase_order(uow: UnitOfWork, renderer: Renderer, event_id: UUID, po: PurchaseOrderSubmitted) -> None:
    supplier = await supplier_contact(uow, po.supplier_id, po.tenant_id)
    pdf = await purchase_order_pdf(po)
    await queue_email(uow, renderer, event_id, po.tenant_id, messages.purchase_order(po, supplier, pdf))


async def email_purchase_order_change(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, po: PurchaseOrderChanged
) -> None:
    supplier = await supplier_contact(uow, po.supplier_id, po.tenant_id)
    await queue_email(uow, renderer, event_id, po.tenant_id, messages.purchase_order_changed(po, supplier))


async def email_goods_received(uow: UnitOfWork, renderer: Renderer, event_id: UUID, po: GoodsReceiptRecorded) -> None:
    supplier = await supplier_contact(uow, po.supplier_id, po.tenant_id)
    await queue_email(uow, renderer, event_id, po.tenant_id, messages.goods_received(po, supplier))


async def email_invoice_news(uow: UnitOfWork, renderer: Renderer, event_id: UUID, invoice: InvoiceSnapshot) -> None:
    """The approver hears of an approval request; the supplier of every decision and payment."""
    draft: EmailDraft
    if isinstance(invoice, InvoiceApprovalRequested):
        if invoice.approver_id is None:
            raise RecipientNotKnownYet("the approval request names no approver yet")
        approver = await portal_user(uow, invoice.approver_id, "approver")
        supplier = await uow.directory.supplier(invoice.supplier_id, tenant_id=invoice.tenant_id)
        draft = messages.approval_request(invoice, approver, supplier)
    else:
        contact = await supplier_contact(uow, invoice.supplier_id, invoice.tenant_id)
        if isinstance(invoice, InvoiceApproved | InvoiceRejected):
            draft = messages.invoice_decided(invoice, contact)
        elif isinstance(invoice, InvoicePaymentRecorded):
            draft = messages.payment_recorded(invoice, contact)
        else:
            return  # nobody needs an email about this event
    await queue_email(uow, renderer, event_id, invoice.tenant_id, draft)
