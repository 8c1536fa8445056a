"""The web portal's pages that emails link to.

The paths are the portal's contract, the same for a buyer and a supplier; the renderer puts
the portal's public address (``PORTAL_PUBLIC_URL``) before them. Only ids go into a path, never
text that a person typed.
"""

from __future__ import annotations

from uuid import UUID


def purchase_order_page(purchase_order_id: UUID) -> str:
    return f"/purchase-orders/{purchase_order_id}"


def invoice_page(invoice_id: UUID) -> str:
    return f"/invoices/{invoice_id}"


def rfp_page(rfp_id: UUID) -> str:
    return f"/rfps/{rfp_id}"
