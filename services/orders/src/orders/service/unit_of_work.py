"""The orders unit of work: orders, their comments and attachments, read models, outbox and inbox
on one transaction."""

from __future__ import annotations

from uuid import UUID

from orders.adapters.collaboration import AttachmentRepository, CommentRepository
from orders.adapters.read_models import InvoiceLedger, OrganisationDirectory, SupplierDirectory
from orders.adapters.repository import PurchaseOrderRepository
from orders.adapters.summary import OrderSummary
from orders.domain.collaboration import Attachment, Comment
from orders.domain.model import PurchaseOrder
from shared.db import SqlUnitOfWork
from shared.json_documents import PageReader


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.purchase_orders = PurchaseOrderRepository(self.session)
        self.pages = PageReader(self.session)
        self.suppliers = SupplierDirectory(self.session)
        self.invoices = InvoiceLedger(self.session)
        self.organisations = OrganisationDirectory(self.session)
        self.comments = CommentRepository(self.session)
        self.attachments = AttachmentRepository(self.session)
        self.summary = OrderSummary(self.session)

    async def save(self, order: PurchaseOrder) -> None:
        """Persist the aggregate and move its recorded events to the outbox."""
        await self.purchase_orders.save(order)
        self.outbox.take(order.events, tenant_id=order.tenant_id)

    async def save_comment(self, comment: Comment, *, tenant_id: UUID) -> None:
        await self.comments.add(comment)
        self.outbox.take(comment.events, tenant_id=tenant_id)

    async def save_attachment(self, attachment: Attachment, content: bytes, *, tenant_id: UUID) -> None:
        await self.attachments.add(attachment, content)
        self.outbox.take(attachment.events, tenant_id=tenant_id)
