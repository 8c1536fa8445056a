"""Effects of consumed events that keep orders' copies of other services' data: suppliers,
buyer organisations, users, and the invoices billed against each order (which recount what the order's
lines are invoiced for). The consumer has opened the unit of work and recorded the event in the
inbox; it commits after these return."""

from __future__ import annotations

from orders.domain.errors import InvoiceOfAnotherTenant, PurchaseOrderNotFound
from orders.domain.read_models import (
    InvoiceRecord,
    OrganisationRecord,
    SupplierRecord,
    UserRecord,
    invoiced_quantities,
)
from orders.service.commands import now
from orders.service.unit_of_work import UnitOfWork
from shared.errors import RetryLater


async def record_supplier(uow: UnitOfWork, record: SupplierRecord) -> None:
    await uow.suppliers.upsert(record)


async def record_organisation(uow: UnitOfWork, record: OrganisationRecord) -> None:
    await uow.organisations.upsert(record)


async def record_user(uow: UnitOfWork, record: UserRecord) -> None:
    await uow.users.upsert(record)


async def record_invoice(uow: UnitOfWork, record: InvoiceRecord) -> None:
    """Keep the invoice's copy and recount what the order's live invoices bill per line."""
    try:
        # Locked: the invoices of one order are counted one at a time.
        order = await uow.purchase_orders.get(record.purchase_order_id, scope=None, for_update=True)
    except PurchaseOrderNotFound:
        raise RetryLater(f"purchase order {record.purchase_order_id} is not known yet") from None
    if order.tenant_id != record.tenant_id:
        raise InvoiceOfAnotherTenant(f"invoice {record.invoice_id} names another tenant's purchase order")
    invoices = await uow.invoices.record(record)
    if invoices is None:
        return  # an older or repeated copy: nothing moved
    invoiced = invoiced_quantities(invoices)
    if order.apply_invoiced_quantities(invoiced, now()):
        await uow.save(order)
