"""The purchase order as a PDF document: the layout both sides read
(``shared.contracts.purchase_order_document``), rendered off the event loop."""

from __future__ import annotations

import asyncio

from shared.contracts.orders import PurchaseOrderSnapshot
from shared.contracts.purchase_order_document import render_purchase_order_pdf


async def purchase_order_pdf(snapshot: PurchaseOrderSnapshot) -> bytes:
    # Rendering is CPU work; a thread keeps the event loop answering other requests meanwhile.
    return await asyncio.to_thread(render_purchase_order_pdf, snapshot)
