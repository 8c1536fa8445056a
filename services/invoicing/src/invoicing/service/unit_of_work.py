"""The invoicing unit of work: repositories, read models, outbox and inbox on one transaction."""

from __future__ import annotations

from invoicing.adapters.drafts import DraftReader
from invoicing.adapters.read_models import OrganisationDirectory, PurchaseOrderRepository, SupplierDirectory
from invoicing.adapters.repository import InvoiceRepository
from invoicing.adapters.tables import invoice_attachments, invoice_comments
from invoicing.domain.model import Invoice
from shared.db import SqlUnitOfWork
from shared.json_documents import PageReader
from shared.stored_files import KeepsConversations, StoredAttachments, StoredComments


class UnitOfWork(KeepsConversations, SqlUnitOfWork):
    def _start(self) -> None:
        self.invoices = InvoiceRepository(self.session)
        self.pages = PageReader(self.session)
        self.comments = StoredComments(self.session, invoice_comments, "invoice_id")
        self.attachments = StoredAttachments(self.session, invoice_attachments, "invoice_id")
        self.purchase_orders = PurchaseOrderRepository(self.session)
        self.suppliers = SupplierDirectory(self.session)
        self.organisations = OrganisationDirectory(self.session)
        self.drafts = DraftReader(self.session)

    async def save(self, invoice: Invoice, *, new: bool = False) -> None:
        """Persist the aggregate (``new``: just made, see ``InvoiceRepository.save``) and move its
        recorded events to the outbox."""
        await self.invoices.save(invoice, new=new)
        self.outbox.take(invoice.events, tenant_id=invoice.tenant_id)
