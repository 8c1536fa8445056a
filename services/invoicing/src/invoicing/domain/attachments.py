"""Files attached to an invoice: the metadata both sides see, and ``InvoiceAttachmentAdded``.

The bytes are stored by the attachment's id, never under the uploaded name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from invoicing.domain.model import Invoice
from shared.contracts.invoicing import InvoiceAttachmentAdded


@dataclass(frozen=True)
class Attachment:
    id: UUID
    invoice_id: UUID
    tenant_id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime


def new_attachment(
    invoice: Invoice, *, filename: str, content_type: str, size: int, uploaded_by: UUID, now: datetime
) -> tuple[Attachment, InvoiceAttachmentAdded]:
    """An attachment of an already checked upload (safe name, allowed type) and its event."""
    attachment = Attachment(uuid4(), invoice.id, invoice.tenant_id, filename, content_type, size, uploaded_by, now)
    event = InvoiceAttachmentAdded(
        attachment_id=attachment.id,
        invoice_id=invoice.id,
        purchase_order_id=invoice.purchase_order_id,
        tenant_id=invoice.tenant_id,
        supplier_id=invoice.supplier_id,
        filename=filename,
        content_type=content_type,
        size=size,
        uploaded_by=uploaded_by,
        created_at=now,
    )
    return attachment, event
