"""The invoicing unit of work: repositories, read models, outbox and inbox on one transaction."""

from __future__ import annotations

from uuid import UUID

from invoicing.adapters.collaboration import AttachmentRepository, CommentRepository
from invoicing.adapters.read_models import OrganisationDirectory, PurchaseOrderRepository, SupplierDirectory
from invoicing.adapters.repository import InvoiceRepository
from invoicing.domain.collaboration import Attachment, Comment
from invoicing.domain.model import Invoice
from shared.contracts.base import EventPayload
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
        self._publish(invoice.events, invoice.tenant_id)

    async def save_comment(self, comment: Comment, *, tenant_id: UUID) -> None:
        await self.comments.add(comment)
        self._publish(comment.events, tenant_id)

    async def save_attachment(self, attachment: Attachment, content: bytes, *, tenant_id: UUID) -> None:
        await self.attachments.add(attachment, content)
        self._publish(attachment.events, tenant_id)

    def _publish(self, events: list[EventPayload], tenant_id: UUID) -> None:
        for event in events:
            self.outbox.add(event, tenant_id=tenant_id)
        events.clear()
