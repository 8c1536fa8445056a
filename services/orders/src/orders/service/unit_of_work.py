"""The orders unit of work: orders, read models, outbox and inbox on one transaction."""

from __future__ import annotations

from orders.adapters.read_models import InvoiceLedger, SupplierDirectory
from orders.adapters.repository import PurchaseOrderRepository
from orders.domain.model import PurchaseOrder
from shared.db import SqlUnitOfWork


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.purchase_orders = PurchaseOrderRepository(self.session)
        self.suppliers = SupplierDirectory(self.session)
        self.invoices = InvoiceLedger(self.session)

    async def save(self, order: PurchaseOrder) -> None:
        """Persist the aggregate and move its recorded events to the outbox."""
        await self.purchase_orders.save(order)
        for event in order.events:
            self.outbox.add(event, tenant_id=order.tenant_id)
        order.events.clear()
