"""Idempotency-Key through the gateway: a retried POST has one effect and the same answer."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from portal_dev.testing import poll_until
from tests.e2e.conftest import Portal


def keyed(who: dict[str, str], key: str) -> dict[str, str]:
    return who | {"Idempotency-Key": key}


async def first_accepted(api: httpx.AsyncClient, path: str, body: dict[str, Any], who: dict[str, str]) -> str:
    """POST with a fresh key until the owning service has the read model it needs (a 4xx is kept
    under its key, so every attempt takes a new one); the key of the accepted request."""

    async def attempt() -> str | None:
        key = f"{path}-{uuid.uuid4()}"
        answer = await api.post(path, json=body, headers=keyed(who, key))
        return key if answer.status_code == 201 else None

    key: str = await poll_until(attempt, timeout_s=30, what=f"POST {path} to be accepted")
    return key


def same_answer(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == first.status_code, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_retried_posts_have_one_effect_and_the_same_answer(api: httpx.AsyncClient, portal: Portal) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Retry Tools", email="sales@retry.example")
    po_body = {
        "supplier_id": supplier_id,
        "currency": "EUR",
        "delivery_date": "2027-06-15",
        "lines": [{"description": "Bolts", "quantity": "10", "unit_price": "3.00"}],
    }
    po_key = await first_accepted(api, "/purchase-orders", po_body, buyer)
    po_first = await api.post("/purchase-orders", json=po_body, headers=keyed(buyer, po_key))
    po_again = await api.post("/purchase-orders", json=po_body, headers=keyed(buyer, po_key))
    same_answer(po_first, po_again)
    listed = (await api.get("/purchase-orders", params={"supplier_id": supplier_id}, headers=buyer)).json()
    assert [po["id"] for po in listed["items"]] == [po_again.json()["id"]]
    po = po_again.json()
    await portal.submit_po(buyer, po["id"])

    other_body = po_body | {"lines": [{"description": "Nuts", "quantity": "1", "unit_price": "1.00"}]}
    reused = await api.post("/purchase-orders", json=other_body, headers=keyed(buyer, po_key))
    assert reused.status_code == 422
    assert reused.json()["detail"] == "the Idempotency-Key was used for a different request"

    invoice_body = {"purchase_order_id": po["id"], "number": "INV-R1", "issue_date": "2026-11-23"}
    invoice_key = await first_accepted(api, "/invoices", invoice_body, supplier)
    invoice_first = await api.post("/invoices", json=invoice_body, headers=keyed(supplier, invoice_key))
    invoice_again = await api.post("/invoices", json=invoice_body, headers=keyed(supplier, invoice_key))
    same_answer(invoice_first, invoice_again)
    invoice_id = invoice_first.json()["id"]
    invoices = (await api.get("/invoices", headers=supplier)).json()["items"]
    assert [i["id"] for i in invoices if i["purchase_order_id"] == po["id"]] == [invoice_id]

    submit = f"/invoices/{invoice_id}/submit"
    submitted = await api.post(submit, headers=keyed(supplier, "submit-1"))
    assert submitted.status_code == 202, submitted.text
    same_answer(submitted, await api.post(submit, headers=keyed(supplier, "submit-1")))
    approved = await portal.invoice_in(supplier, invoice_id, "approved")
    assert approved["submission"] == 1

    payments = f"/invoices/{invoice_id}/payments"
    paid = await api.post(payments, json={"amount": "10.00"}, headers=keyed(buyer, "pay-1"))
    assert paid.status_code == 201, paid.text
    same_answer(paid, await api.post(payments, json={"amount": "10.00"}, headers=keyed(buyer, "pay-1")))
    invoice = (await api.get(f"/invoices/{invoice_id}", headers=buyer)).json()
    assert invoice["paid_total"] == "10.00" and invoice["submission"] == 1
    other_amount = await api.post(payments, json={"amount": "5.00"}, headers=keyed(buyer, "pay-1"))
    assert other_amount.status_code == 422

    # Concurrent duplicates: one does the work, the other is told to wait or gets the same answer.
    race = await asyncio.gather(
        *(api.post(payments, json={"amount": "1.00"}, headers=keyed(buyer, "pay-race")) for _ in range(2))
    )
    statuses = sorted(answer.status_code for answer in race)
    assert statuses in ([201, 201], [201, 409]), [a.text for a in race]
    if statuses == [201, 201]:
        assert race[0].json() == race[1].json()
        assert any(answer.headers.get("idempotent-replayed") == "true" for answer in race)

    async def paid_once_more() -> dict | None:
        current: dict = (await api.get(f"/invoices/{invoice_id}", headers=buyer)).json()
        return current if current["paid_total"] == "11.00" else None

    await poll_until(paid_once_more, timeout_s=5, what="the raced payment, counted once")
    assert (await api.get(f"/invoices/{invoice_id}", headers=buyer)).json()["paid_total"] == "11.00"
