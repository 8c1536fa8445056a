"""The orders unit of work: orders, their comments and attachments, read models, outbox and inbox
on one transaction."""

from __future__ import annotations

from orders.adapters.read_models import InvoiceLedger, OrganisationDirectory, SupplierDirectory, UserDirectory
from orders.adapters.receipts import GoodsReceiptBook
from orders.adapters.repository import PurchaseOrderRepository
from orders.adapters.summary import OrderSummary
from orders.adapters.tables import purchase_order_attachments, purchase_order_comments
from orders.domain.errors import AttachmentNotFound
from orders.domain.model import PurchaseOrder
from shared.db import SqlUnitOfWork
from shared.json_documents import PageReader
from shared.stored_files import KeepsConversations, StoredAttachments, StoredComments


class UnitOfWork(KeepsConversations, SqlUnitOfWork):
    def _start(self) -> None:
        self.purchase_orders = PurchaseOrderRepository(self.session)
        self.pages = PageReader(self.session)
        self.suppliers = SupplierDirectory(self.session)
        self.invoices = InvoiceLedger(self.session)
        self.organisations = OrganisationDirectory(self.session)
        self.users = UserDirectory(self.session)
        self.comments = StoredComments(self.session, purchase_order_comments, "purchase_order_id")
        self.attachments = StoredAttachments(
            self.session, purchase_order_attachments, "purchase_order_id", not_found=AttachmentNotFound
        )
        self.summary = OrderSummary(self.session)
        self.receipts = GoodsReceiptBook(self.session)

    async def save(self, order: PurchaseOrder) -> None:
        """Persist the aggregate and move its recorded events to the outbox."""
        await self.purchase_orders.save(order)
        self.outbox.take(order.events, tenant_id=order.tenant_id)
