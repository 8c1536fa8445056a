"""The purchase order as a PDF document, rendered from the same snapshot that events carry."""

from __future__ import annotations

import asyncio

from shared.contracts.orders import PurchaseOrderSnapshot
from shared.documents import render_purchase_order_pdf


async def purchase_order_pdf(snapshot: PurchaseOrderSnapshot) -> bytes:
    # Rendering is CPU work; a thread keeps the event loop answering other requests meanwhile.
    return await asyncio.to_thread(render_purchase_order_pdf, snapshot)
