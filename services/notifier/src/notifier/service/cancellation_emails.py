"""Use cases: tell the supplier that the buyer canceled or closed a purchase order it received,
or canceled one of its invoices.

The rule is checked before any lookup: an event that tells nobody never waits for a read model.
"""

from __future__ import annotations

from uuid import UUID

from notifier.domain import cancellations
from notifier.service.email_queue import Renderer, buyer_name, queue_email, supplier_contact
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.invoicing import InvoiceCanceled
from shared.contracts.orders import PurchaseOrderCanceled, PurchaseOrderClosed


async def email_purchase_order_end(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, po: PurchaseOrderCanceled | PurchaseOrderClosed
) -> None:
    if not cancellations.supplier_saw(po):
        return
    supplier = await supplier_contact(uow, po.supplier_id, po.tenant_id)
    buyer = await buyer_name(uow, po.tenant_id, known=po.buyer_name)
    await queue_email(uow, renderer, event_id, po.tenant_id, cancellations.purchase_order_ended(po, supplier, buyer))


async def email_invoice_canceled(uow: UnitOfWork, renderer: Renderer, event_id: UUID, invoice: InvoiceCanceled) -> None:
    if not cancellations.buyer_canceled(invoice):
        return
    supplier = await supplier_contact(uow, invoice.supplier_id, invoice.tenant_id)
    buyer = await buyer_name(uow, invoice.tenant_id)
    draft = cancellations.invoice_canceled(invoice, supplier, buyer)
    await queue_email(uow, renderer, event_id, invoice.tenant_id, draft)
