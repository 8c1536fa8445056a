"""The purchase order attached to the supplier's email: the document the buyer exports from orders
(``shared.contracts.purchase_order_document``), rendered from the event's snapshot."""

from __future__ import annotations

import asyncio

from shared.contracts.orders import PurchaseOrderSnapshot
from shared.contracts.purchase_order_document import render_purchase_order_pdf


async def purchase_order_pdf(po: PurchaseOrderSnapshot) -> bytes:
    # Rendering is CPU work: a thread keeps the event loop (and the sender) responsive.
    return await asyncio.to_thread(render_purchase_order_pdf, po)
