"""Effects of consumed events that keep matching's copies of other services' data: purchase
orders, the suppliers' tolerance rates and the invoices as they move on after matching. Each runs
in the unit of work its consumer opened, which records the event in the inbox and commits."""

from __future__ import annotations

from matching.domain.model import Invoice, PurchaseOrder, SupplierTolerance
from matching.service.unit_of_work import UnitOfWork


async def record_purchase_order(uow: UnitOfWork, po: PurchaseOrder) -> None:
    await uow.purchase_orders.save(po)


async def record_supplier(uow: UnitOfWork, tolerance: SupplierTolerance) -> None:
    await uow.suppliers.save(tolerance)


async def record_invoice(uow: UnitOfWork, invoice: Invoice) -> None:
    """An invoice moved (approval requested, approved, rejected, canceled, paid)."""
    await uow.invoices.save(invoice)
