"""The invoicing unit of work: repositories, read models, outbox and inbox on one transaction."""

from __future__ import annotations

from uuid import UUID

from invoicing.adapters.collaboration import AttachmentRepository, CommentRepository
from invoicing.adapters.read_models import OrganisationDirectory, PurchaseOrderRepository, SupplierDirectory
from invoicing.adapters.repository import InvoiceRepository
from invoicing.domain.collaboration import Attachment, Comment
from invoicing.domain.model import Invoice
from shared.db import SqlUnitOfWork
from shared.json_documents import PageReader


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.invoices = InvoiceRepository(self.session)
        self.pages = PageReader(self.session)
        self.comments = CommentRepository(self.session)
        self.attachments = AttachmentRepository(self.session)
        self.purchase_orders = PurchaseOrderRepository(self.session)
        self.suppliers = SupplierDirectory(self.session)
        self.organisations = OrganisationDirectory(self.session)

    async def save(self, invoice: Invoice) -> None:
        """Persist the aggregate and move its recorded events to the outbox."""
        await self.invoices.save(invoice)
        self.outbox.take(invoice.events, tenant_id=invoice.tenant_id)

    async def save_comment(self, comment: Comment, *, tenant_id: UUID) -> None:
        await self.comments.add(comment)
        self.outbox.take(comment.events, tenant_id=tenant_id)

    async def save_attachment(self, attachment: Attachment, content: bytes, *, tenant_id: UUID) -> None:
        await self.attachments.add(attachment, content)
        self.outbox.take(attachment.events, tenant_id=tenant_id)
