"""End to end through the gateway, every service in its own process, emails read from the sink:
onboard a supplier, send a PO, invoice it, match, approve, pay."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx

from shared.devstack.stack import Stack
from shared.testing import Mailbox, poll_until

ADMIN_EMAIL = "admin@buyer.example"
ADMIN_PASSWORD = "admin-password-for-tests"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(api: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    answer = await api.post("/auth/token", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])


async def onboard_supplier(
    api: httpx.AsyncClient, mailbox: Mailbox, buyer: dict[str, str], *, name: str, email: str, tolerance: str
) -> tuple[str, dict[str, str]]:
    """The buyer creates the supplier and switches its portal on; the supplier accepts by email."""
    created = await api.post(
        "/suppliers",
        json={"name": name, "email": email, "currency": "EUR", "tolerance_rate": tolerance},
        headers=buyer,
    )
    assert created.status_code == 201, created.text
    supplier_id = created.json()["id"]
    assert (await api.post(f"/suppliers/{supplier_id}/portal/activate", headers=buyer)).status_code == 200

    [invitation] = await poll_until(
        lambda: mailbox.find(to=email, subject_contains="invit"), timeout_s=30, what=f"invitation to {email}"
    )
    text = invitation.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    token = re.search(r"/invitations/([A-Za-z0-9_\-]+)", text).group(1)  # type: ignore[union-attr]
    accepted = await api.post(f"/auth/invitations/{token}/accept", json={"password": "supplier-password"})
    assert accepted.status_code == 201, accepted.text
    return supplier_id, bearer(accepted.json()["access_token"])


async def create_po(
    api: httpx.AsyncClient, buyer: dict[str, str], supplier_id: str, lines: list[dict[str, Any]]
) -> dict:
    body = {"supplier_id": supplier_id, "currency": "EUR", "delivery_date": "2027-01-15", "lines": lines}

    async def created() -> httpx.Response | None:
        # The orders service learns of a new supplier from its event, a moment after it is created.
        answer = await api.post("/purchase-orders", json=body, headers=buyer)
        return answer if answer.status_code != 422 else None

    answer = await poll_until(created, timeout_s=30, what="orders to know the supplier")
    assert answer.status_code == 201, answer.text
    po = answer.json()
    submitted = await api.post(f"/purchase-orders/{po['id']}/submit", headers=buyer)
    assert submitted.status_code == 200, submitted.text
    return po


async def invoice_status(api: httpx.AsyncClient, who: dict[str, str], invoice_id: str, *wanted: str) -> dict:
    async def reached() -> dict | None:
        invoice = (await api.get(f"/invoices/{invoice_id}", headers=who)).json()
        return invoice if invoice["status"] in wanted else None

    return await poll_until(reached, timeout_s=30, what=f"invoice {invoice_id} to be {wanted}")


async def create_invoice(api: httpx.AsyncClient, supplier: dict[str, str], body: dict[str, Any]) -> dict:
    async def created() -> httpx.Response | None:
        # Invoicing learns of the PO from its event, a moment after it is submitted.
        answer = await api.post("/invoices", json=body, headers=supplier)
        return answer if answer.status_code != 404 else None

    answer = await poll_until(created, timeout_s=30, what="invoicing to know the PO")
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_onboarding_po_invoice_matching_approval_and_payment_with_emails(
    stack: Stack, api: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    buyer = await sign_in(api, ADMIN_EMAIL, ADMIN_PASSWORD)
    supplier_id, supplier = await onboard_supplier(
        api, mailbox, buyer, name="Acme Tools", email="sales@acme.example", tolerance="5"
    )
    me = (await api.get("/me", headers=supplier)).json()
    assert me["role"] == "supplier" and me["supplier_ids"] == [supplier_id]

    # A PO of 5,000.00: the supplier gets it by email with the PDF attached.
    po = await create_po(
        api,
        buyer,
        supplier_id,
        [
            {"description": "Bolts", "quantity": "100", "unit_price": "30.00"},
            {"description": "Nuts", "quantity": "200", "unit_price": "10.00"},
        ],
    )
    assert po["net_total"] == "5000.00"
    [po_mail] = await poll_until(
        lambda: mailbox.find(to="sales@acme.example", subject_contains=po["number"]), timeout_s=30, what="PO email"
    )
    [pdf] = [part for part in po_mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")
    seen = (await api.get(f"/purchase-orders/{po['id']}", headers=supplier)).json()
    assert seen["status"] == "sent"

    # An invoice prefilled with the remaining quantities: exact match, approved on the spot.
    invoice = await create_invoice(
        api, supplier, {"purchase_order_id": po["id"], "number": "INV-1", "issue_date": "2026-11-23"}
    )
    assert invoice["status"] == "draft" and invoice["net_total"] == "5000.00"
    assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    approved = await invoice_status(api, supplier, invoice["id"], "approved")
    assert approved["matching"]["outcome"] == "auto_approved"
    assert Decimal(approved["matching"]["excess"]) == 0
    await poll_until(
        lambda: mailbox.find(to="sales@acme.example", subject_contains="approved"), timeout_s=30, what="approved email"
    )

    async def fully_invoiced() -> bool:
        order = (await api.get(f"/purchase-orders/{po['id']}", headers=buyer)).json()
        return order["status"] == "fully_invoiced" and all(
            Decimal(line["remaining_quantity"]) == 0 for line in order["lines"]
        )

    await poll_until(fully_invoiced, timeout_s=30, what="the PO to be fully invoiced")

    # A second PO billed 5,250.01 (L = 250.00): routed to the initiator, who approves; then paid.
    po2 = await create_po(
        api, buyer, supplier_id, [{"description": "Widgets", "quantity": "500", "unit_price": "10.00"}]
    )
    po2_line = po2["lines"][0]["id"]
    over = await create_invoice(
        api,
        supplier,
        {
            "purchase_order_id": po2["id"],
            "number": "INV-2",
            "issue_date": "2026-11-23",
            "lines": [
                {
                    "purchase_order_line_id": po2_line,
                    "description": "Widgets",
                    "quantity": "500",
                    "unit_price": "10.50",
                },
                {"purchase_order_line_id": None, "description": "Rounding", "quantity": "1", "unit_price": "0.01"},
            ],
        },
    )
    assert over["net_total"] == "5250.01"
    assert (await api.post(f"/invoices/{over['id']}/submit", headers=supplier)).status_code == 202
    pending = await invoice_status(api, buyer, over["id"], "pending")
    assert set(pending["matching"]["reasons"]) == {"over_tolerance", "new_items"}
    assert pending["approver_id"] == po2["initiator_id"]
    [line_report] = [row for row in pending["matching"]["lines"] if row["purchase_order_line_id"] == po2_line]
    assert line_report["price_changed"] is True
    await poll_until(
        lambda: mailbox.find(to=ADMIN_EMAIL, subject_contains="approval"), timeout_s=30, what="approval request email"
    )
    # The supplier cannot approve its own invoice.
    assert (await api.post(f"/invoices/{over['id']}/approve", headers=supplier)).status_code == 403
    assert (await api.post(f"/invoices/{over['id']}/approve", headers=buyer)).status_code == 200

    first = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "5000.00"}, headers=buyer)
    assert first.status_code in (200, 201), first.text
    assert first.json()["status"] == "partly_paid"
    too_much = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "250.02"}, headers=buyer)
    assert too_much.status_code in (409, 422)
    rest = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "250.01"}, headers=buyer)
    assert rest.json()["status"] == "paid" and rest.json()["paid_total"] == "5250.01"
    await poll_until(
        lambda: mailbox.find(to="sales@acme.example", subject_contains="paid"), timeout_s=30, what="paid email"
    )

    # Another supplier sees neither the PO nor the invoices of the first one.
    _, other = await onboard_supplier(
        api, mailbox, buyer, name="Other Supplies", email="hello@other.example", tolerance="0"
    )
    assert (await api.get(f"/purchase-orders/{po['id']}", headers=other)).status_code == 404
    assert (await api.get(f"/invoices/{invoice['id']}", headers=other)).status_code == 404
    assert (await api.post(f"/invoices/{over['id']}/cancel", headers=other)).status_code == 404
    assert (await api.get("/invoices", headers=other)).json()["items"] == []
    health = await api.get("/health")
    assert health.status_code == 200, health.text
