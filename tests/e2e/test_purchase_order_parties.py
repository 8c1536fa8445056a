"""End to end through the gateway: a purchase order as businesses exchange it. The buyer sets its
organisation's profile and the supplier's legal details and terms; an order with a delivery
address is sent; the PDF the supplier receives by email and the one the buyer exports name both
parties with their legal details, the person who ordered, where to deliver and the payment terms."""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from pypdf import PdfReader

from portal_dev.testing import poll_until
from tests.e2e.conftest import Organisation, Portal

INITIATOR_PASSWORD = "initiator-password"
PROFILE = {
    "legal_name": "Northwind Trading GmbH",
    "address": "Hafenstrasse 5\n20457 Hamburg\nGermany",
    "tax_id": "DE811234567",
    "contact_name": "Pat Purchasing",
    "contact_email": "purchasing@northwind.example",
    "contact_phone": "+49 40 555 0100",
}
DELIVERY = "Northwind Warehouse 2\nGate 4\nAm Kai 12\n28195 Bremen"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def assert_as_businesses_exchange_it(text: str, initiator_email: str) -> None:
    for expected in (
        "Buyer Northwind Trading GmbH",
        "Address Hafenstrasse 5\n20457 Hamburg\nGermany",
        "Tax ID DE811234567",
        "Contact Pat Purchasing, purchasing@northwind.example, +49 40 555 0100",
        "Supplier Fjord Fasteners AS",
        "Address Kaigata 1\n5016 Bergen\nNorway",
        "Tax ID NO987654321MVA",
        f"Ordered by Dana Initiator ({initiator_email})",
        "Delivery date 2027-06-15",
        "Delivery address Northwind Warehouse 2\nGate 4\nAm Kai 12\n28195 Bremen",
        "Payment terms 21 days net",
    ):
        assert expected in text, f"{expected!r} not in:\n{text}"


async def test_the_order_the_supplier_receives_and_the_one_the_buyer_exports_name_both_businesses(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Callable[[], Awaitable[Organisation]]
) -> None:
    organisation = await new_organisation()
    admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    profiled = await api.patch("/settings", json=PROFILE, headers=admin)
    assert profiled.status_code == 200, profiled.text
    initiator_email = f"dana-{uuid.uuid4().hex[:8]}@northwind.example"
    body = {"email": initiator_email, "name": "Dana Initiator", "password": INITIATOR_PASSWORD, "role": "buyer_user"}
    assert (await api.post("/users", json=body, headers=admin)).status_code == 201
    initiator = await portal.sign_in(initiator_email, INITIATOR_PASSWORD)

    supplier_email = f"orders-{uuid.uuid4().hex[:8]}@fjord.example"
    supplier_id, supplier = await portal.onboard_supplier(
        admin,
        name="Fjord",
        email=supplier_email,
        payment_terms_days=21,
        legal_name="Fjord Fasteners AS",
        address="Kaigata 1\n5016 Bergen\nNorway",
        tax_id="NO987654321MVA",
    )
    order_body = {
        "supplier_id": supplier_id,
        "currency": "EUR",
        "delivery_date": "2027-06-15",
        "delivery_address": DELIVERY,
        "lines": [{"description": "Anchor bolts", "quantity": "40", "unit_price": "3.25", "tax_rate": "19"}],
    }
    po = await portal.until_created("/purchase-orders", order_body, initiator, retry_on=422)
    assert po["delivery_address"] == DELIVERY

    # The order is sent once orders has heard of the profile, the supplier's details and the
    # initiator (each arrives by its own event): what it knows then is what the supplier receives.
    async def informed() -> dict[str, Any] | None:
        seen: dict[str, Any] = (await api.get(f"/purchase-orders/{po['id']}", headers=initiator)).json()
        buyer, supplier_details = seen["buyer"] or {}, seen["supplier"] or {}
        known = buyer.get("tax_id") and supplier_details.get("tax_id") and seen["initiator_email"]
        return seen if known else None

    seen = await poll_until(informed, timeout_s=30, what="orders to know both parties and the initiator")
    assert seen["payment_terms_days"] == 21 and seen["initiator_name"] == "Dana Initiator"
    await portal.submit_po(initiator, po["id"])

    [mail] = await portal.email(to=supplier_email, subject=po["number"])
    [attached] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert_as_businesses_exchange_it(pdf_text(attached.get_content()), initiator_email)

    for side in (admin, supplier):
        exported = await api.get(f"/purchase-orders/{po['id']}/export", params={"format": "pdf"}, headers=side)
        assert exported.status_code == 200, exported.text
        assert_as_businesses_exchange_it(pdf_text(exported.content), initiator_email)
