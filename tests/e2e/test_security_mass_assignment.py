"""Mass assignment: fields that the server owns (status, totals, who approves, who initiated, whose
tenant, which supplier) sent in create and patch bodies are refused (422) or ignored, and nothing
about the document changes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e.attackers import build_party_a
from tests.e2e.conftest import Portal

STOLEN = str(uuid.uuid4())
SERVER_OWNED: dict[str, Any] = {
    "id": STOLEN,
    "supplier_id": STOLEN,
    "status": "approved",
    "approver_id": STOLEN,
    "paid_total": "999999.00",
    "tenant_id": STOLEN,
    "initiator_id": STOLEN,
    "net_total": "0.01",
    "number": "PO-HIJACK",
    "portal_status": "active",
    "purchase_order_id": STOLEN,
    "created_at": "2000-01-01T00:00:00Z",
    "revision": 999,
}


def stable(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("updated_at", "revision", "version", "etag")}


async def test_server_owned_fields_are_refused_or_ignored(api: httpx.AsyncClient, portal: Portal) -> None:
    a = await build_party_a(api, portal, with_rfp=False)
    buyer, supplier = a.admin, a.supplier
    wrong: list[str] = []

    async def attempt(
        method: str, path: str, who: dict[str, str], base: dict[str, Any], fields: tuple[str, ...], read: str
    ) -> None:
        """Each field on its own on top of a valid body: 422, or a 2xx that did not take it."""
        before = stable((await api.get(read, headers=who)).json())
        for name in fields:
            if name in base and name != "supplier_id":
                continue
            injected = base | {name: SERVER_OWNED[name] if name != "supplier_id" else a.sibling_id}
            answer = await api.request(method, path, json=injected, headers=who)
            if answer.status_code >= 500 or (answer.status_code != 422 and not 200 <= answer.status_code < 300):
                wrong.append(f"{method} {path} with {name}: {answer.status_code} {answer.text[:200]}")
            elif answer.status_code != 422 and answer.json().get(name) == injected[name]:
                wrong.append(f"{method} {path} took {name}={injected[name]!r}: {answer.text[:200]}")
        after = stable((await api.get(read, headers=who)).json())
        if after != before:
            wrong.append(f"{method} {path} changed {read}: {before} -> {after}")

    # Purchase orders: created and revised by the buyer.
    po_body = {
        "supplier_id": a.supplier_id,
        "currency": "EUR",
        "delivery_date": "2027-06-15",
        "lines": [{"description": "Bolts", "quantity": "1", "unit_price": "1.00"}],
    }
    orders = f"/purchase-orders?supplier_id={a.supplier_id}"
    order_fields = ("id", "status", "initiator_id", "net_total", "tenant_id", "number", "created_at")
    await attempt("POST", "/purchase-orders", buyer, po_body, order_fields, orders)
    line_attack = po_body | {"lines": [po_body["lines"][0] | {"net_total": "0.01", "invoiced_quantity": "1"}]}
    answer = await api.post("/purchase-orders", json=line_attack, headers=buyer)
    if answer.status_code != 422:
        wrong.append(f"POST /purchase-orders with line totals: {answer.status_code} {answer.text[:200]}")
    order = f"/purchase-orders/{a.order['id']}"
    await attempt("PATCH", order, buyer, {}, ("supplier_id", *order_fields), order)

    # Invoices: created and revised by the supplier, paid by the buyer.
    po2 = await portal.create_po(buyer, a.supplier_id, [{"description": "Nuts", "quantity": "2", "unit_price": "3"}])
    await portal.submit_po(buyer, po2["id"])
    invoice_fields = ("id", "status", "approver_id", "paid_total", "net_total", "tenant_id", "created_at")
    invoice_body = {"purchase_order_id": po2["id"], "number": f"MA-{a.tag}", "issue_date": "2026-11-23"}
    invoices = f"/invoices?purchase_order_id={po2['id']}"
    await attempt("POST", "/invoices", supplier, invoice_body, ("supplier_id", *invoice_fields), invoices)
    draft = await portal.create_invoice(supplier, invoice_body)
    invoice = f"/invoices/{draft['id']}"
    await attempt("PATCH", invoice, supplier, {}, ("supplier_id", "purchase_order_id", *invoice_fields), invoice)
    answer = await api.patch(
        invoice,
        json={
            "lines": [
                line | {"net_total": "0.01"} for line in [{"description": "Nuts", "quantity": "2", "unit_price": "3"}]
            ]
        },
        headers=supplier,
    )
    if answer.status_code != 422:
        wrong.append(f"PATCH {invoice} with a line total: {answer.status_code} {answer.text[:200]}")
    approved = f"/invoices/{a.invoice['id']}"
    await attempt("POST", f"{approved}/payments", buyer, {"amount": "1.00"}, ("paid_total", "status"), approved)
    # The refused payments above recorded nothing.
    assert (await api.get(approved, headers=buyer)).json()["paid_total"] in ("0.00", "0", None)

    # Suppliers: the buyer's record and the supplier's own profile.
    supplier_fields = ("id", "tenant_id", "portal_status", "status", "created_at")
    await attempt(
        "POST",
        "/suppliers",
        buyer,
        {"name": "Fresh", "email": f"fresh-{a.tag}@x.example", "currency": "EUR"},
        supplier_fields,
        "/suppliers",
    )
    record = f"/suppliers/{a.supplier_id}"
    await attempt("PATCH", record, buyer, {}, supplier_fields, record)
    profile = f"/portal/profiles/{a.supplier_id}"
    await attempt("PATCH", profile, supplier, {}, ("supplier_id", *supplier_fields), profile)
    before = stable((await api.get(record, headers=buyer)).json())
    buyers = {"currency": "USD", "tolerance_rate": "100", "tolerance_amount": "100", "supplier_id": a.sibling_id}
    for name, value in buyers.items():
        answer = await api.patch(profile, json={name: value}, headers=supplier)
        if answer.status_code != 422:
            wrong.append(f"PATCH {profile} with the buyer's {name}: {answer.status_code} {answer.text[:200]}")
    assert stable((await api.get(record, headers=buyer)).json()) == before

    # The organisation: users and settings.
    for name in ("tenant_id", "id"):
        body = {"email": f"u-{uuid.uuid4().hex[:6]}@x.example", "name": "U", "password": "p" * 12, "role": "buyer_user"}
        answer = await api.post("/users", json=body | {name: STOLEN}, headers=buyer)
        if answer.status_code != 422:
            wrong.append(f"POST /users with {name}: {answer.status_code} {answer.text[:200]}")
        answer = await api.patch("/settings", json={name: STOLEN}, headers=buyer)
        if answer.status_code != 422:
            wrong.append(f"PATCH /settings with {name}: {answer.status_code} {answer.text[:200]}")

    assert not wrong, "server-owned fields accepted:\n" + "\n".join(wrong)
