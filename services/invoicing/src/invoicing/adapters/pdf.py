"""The invoice as a PDF document, rendered from the same snapshot its events carry."""

from __future__ import annotations

import asyncio
from datetime import date

from invoicing.domain.events import invoice_state
from invoicing.domain.model import Invoice
from shared.contracts.invoicing import InvoiceSnapshot
from shared.documents import render_invoice_pdf


async def invoice_pdf(
    invoice: Invoice, *, buyer_name: str | None, supplier_name: str | None, delivery_date: date | None = None
) -> bytes:
    snapshot = InvoiceSnapshot(**invoice_state(invoice))
    # Rendering is CPU work; a thread keeps the event loop answering other requests meanwhile.
    return await asyncio.to_thread(
        render_invoice_pdf, snapshot, buyer_name=buyer_name, supplier_name=supplier_name, delivery_date=delivery_date
    )
