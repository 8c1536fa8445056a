"""The PDF attached to the supplier's email is the purchase order document (the one the buyer
exports), rendered from the event's snapshot."""

from __future__ import annotations

from uuid import uuid4

from notifier.adapters.pdf import purchase_order_pdf
from tests.notifier import samples


async def test_the_attachment_is_a_pdf_of_the_order() -> None:
    pdf = await purchase_order_pdf(samples.purchase_order(uuid4(), uuid4()))
    assert pdf.startswith(b"%PDF-")
