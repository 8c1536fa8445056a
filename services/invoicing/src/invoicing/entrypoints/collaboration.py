"""HTTP API of an invoice's conversation: comments and attached files (multipart field ``file``)."""

from __future__ import annotations

from invoicing.entrypoints.deps import unit_of_work
from invoicing.service import collaboration
from shared.collaboration_api import conversation_router

router = conversation_router(
    "/api/v1/invoices/{invoice_id}",
    "invoice_id",
    use_cases=collaboration.conversation,
    unit_of_work=unit_of_work,
    tag="invoice conversation",
    page_size=100,
    told="Comment on the invoice; the other side is told (``InvoiceCommentAdded``).",
)
