"""The organisation-wide supplier portal switch, as documented, end to end through the gateway.

Switched off: the suppliers' draft invoices are deleted; a fully invoiced order is no longer
shown to its supplier; an order not yet fully invoiced stays, and the supplier invoices exactly
what remains on it (never more, no new items); no supplier's portal can be activated, and the
buyer's supplier page says why instead of offering it. Switched on again: everything is back and
activation works. The supplier keeps the token it signed in with throughout: the gateway restates
its restriction on every request.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import expect

from portal_dev.testing import poll_until
from tests.e2e.conftest import Portal

OFF_DETAIL = "the supplier portal is switched off for your organisation; switch it on in the settings first"


async def status_of(api: httpx.AsyncClient, who: dict[str, str], po_id: str, wanted: str) -> dict[str, Any]:
    """The order once orders has counted its invoices into ``wanted``."""

    async def reached() -> dict[str, Any] | None:
        order: dict[str, Any] = (await api.get(f"/purchase-orders/{po_id}", headers=who)).json()
        return order if order["status"] == wanted else None

    found: dict[str, Any] = await poll_until(reached, timeout_s=30, what=f"purchase order {po_id} to be {wanted}")
    return found


async def invoiced(portal: Portal, supplier: dict[str, str], po: dict[str, Any], number: str, lines: Any) -> None:
    """The supplier invoices ``lines`` of ``po`` and matching approves the invoice."""
    body: dict[str, Any] = {"purchase_order_id": po["id"], "number": number, "issue_date": "2027-01-15"}
    if lines is not None:
        body["lines"] = lines
    invoice = await portal.create_invoice(supplier, body)
    assert (await portal.api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    await portal.invoice_in(supplier, invoice["id"], "approved")


def line(po: dict[str, Any], index: int, quantity: str) -> dict[str, str]:
    ordered = po["lines"][index]
    return {"purchase_order_line_id": ordered["id"], "quantity": quantity, "unit_price": ordered["unit_price"]}


async def listed(api: httpx.AsyncClient, who: dict[str, str]) -> set[str]:
    answer = await api.get("/purchase-orders", headers=who)
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


async def test_switching_the_supplier_portal_off_leaves_suppliers_only_what_is_still_owed(
    api: httpx.AsyncClient, portal: Portal, new_organisation: Any, browser_people: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    organisation = await new_organisation()
    admin = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    supplier_id, supplier = await portal.onboard_supplier(admin, name=f"Owed {tag}", email=f"ap-{tag}@owed.example")
    waiting = await api.post(
        "/suppliers",
        json={"name": f"Waiting {tag}", "email": f"ap-{tag}@waiting.example", "currency": "EUR", "tolerance_rate": "5"},
        headers=admin,
    )
    assert waiting.status_code == 201, waiting.text
    waiting_id = waiting.json()["id"]

    settled = await portal.create_po(
        admin, supplier_id, [{"description": "Bolts", "quantity": "10", "unit_price": "5.00"}]
    )
    await portal.submit_po(admin, settled["id"])
    await invoiced(portal, supplier, settled, f"FULL-{tag}", None)
    await status_of(api, admin, settled["id"], "fully_invoiced")

    owed = await portal.create_po(
        admin,
        supplier_id,
        [
            {"description": "Nuts", "quantity": "10", "unit_price": "2.00"},
            {"description": "Washers", "quantity": "4", "unit_price": "1.00"},
        ],
    )
    await portal.submit_po(admin, owed["id"])
    await invoiced(portal, supplier, owed, f"PART-{tag}", [line(owed, 0, "4")])
    await status_of(api, admin, owed["id"], "partially_invoiced")
    draft = await portal.create_invoice(supplier, {"purchase_order_id": owed["id"], "number": f"DRAFT-{tag}"})

    switched = await api.patch("/settings", json={"supplier_portal_enabled": False}, headers=admin)
    assert switched.status_code == 200 and switched.json()["supplier_portal_enabled"] is False

    async def draft_gone() -> bool:
        return (await api.get(f"/invoices/{draft['id']}", headers=admin)).status_code == 404

    await poll_until(draft_gone, timeout_s=30, what="the supplier's draft invoice to be deleted")
    assert (await api.get(f"/invoices/{draft['id']}", headers=supplier)).status_code == 404

    # The fully invoiced order is gone for the supplier; the one still owed stays, with what remains.
    assert (await api.get(f"/purchase-orders/{settled['id']}", headers=supplier)).status_code == 404
    assert await listed(api, supplier) == {owed["id"]}
    seen = await api.get(f"/purchase-orders/{owed['id']}", headers=supplier)
    assert seen.status_code == 200, seen.text
    assert [x["remaining_quantity"] for x in seen.json()["lines"]] == ["6", "4"]

    body = {"purchase_order_id": owed["id"], "number": f"REST-{tag}", "issue_date": "2027-01-20"}
    beyond = await api.post(
        "/invoices", json={**body, "lines": [line(owed, 0, "7"), line(owed, 1, "4")]}, headers=supplier
    )
    assert beyond.status_code == 422, beyond.text
    assert beyond.json()["errors"] == [
        {"field": "lines.0.quantity", "message": "at most 6 remains to invoice on this purchase order line"}
    ]
    exact = await api.post(
        "/invoices", json={**body, "lines": [line(owed, 0, "6"), line(owed, 1, "4")]}, headers=supplier
    )
    assert exact.status_code == 201, exact.text
    assert (await api.post(f"/invoices/{exact.json()['id']}/submit", headers=supplier)).status_code == 202
    await portal.invoice_in(supplier, exact.json()["id"], "approved")

    # No supplier's portal is switched on meanwhile (suppliers heard of the switch while the
    # invoice above went through matching and back).
    activation = await api.post(f"/suppliers/{waiting_id}/portal/activate", headers=admin)
    assert activation.status_code == 409, activation.text
    assert activation.json()["detail"] == OFF_DETAIL
    person = await browser_people()
    await person.sign_in(organisation.admin_email, organisation.admin_password)
    await person.open(f"/suppliers/{waiting_id}")
    await expect(person.page.get_by_role("note")).to_contain_text("supplier portal is switched off")
    await expect(person.page.get_by_role("button", name="Invite to the portal")).to_have_count(0)

    switched = await api.patch("/settings", json={"supplier_portal_enabled": True}, headers=admin)
    assert switched.status_code == 200
    # Back on: the supplier sees every order again; activation works once suppliers has heard of it.
    assert (await api.get(f"/purchase-orders/{settled['id']}", headers=supplier)).status_code == 200
    assert await listed(api, supplier) == {settled["id"], owed["id"]}

    async def activated() -> httpx.Response | None:
        answer = await api.post(f"/suppliers/{waiting_id}/portal/activate", headers=admin)
        return answer if answer.status_code == 200 else None

    assert (await poll_until(activated, timeout_s=30, what="the activation")).json()["portal_status"] == "active"
    await person.open(f"/suppliers/{waiting_id}")
    await expect(person.page.get_by_role("button", name="Deactivate")).to_be_visible()
