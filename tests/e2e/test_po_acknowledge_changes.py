"""Through the gateway: the buyer changes an order the supplier acknowledged; the supplier sees the
change waiting, its summaries count the order as unprocessed, and it acknowledges the change."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import Portal


async def test_the_supplier_acknowledges_the_buyers_change_to_an_acknowledged_order(portal: Portal) -> None:
    api = portal.api
    tag = uuid.uuid4().hex[:6]
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name=f"Change Works {tag}", email=f"changes-{tag}@supplier.example"
    )
    created = await portal.create_po(
        buyer, supplier_id, [{"description": "Flanges", "quantity": "8", "unit_price": "12.50"}]
    )
    order = await portal.submit_po(buyer, created["id"])
    path = f"/purchase-orders/{order['id']}"

    async def unprocessed() -> tuple[int, int]:
        orders = (await api.get("/purchase-orders/summary", headers=supplier)).json()
        start_page = (await api.get("/portal/summary", headers=supplier)).json()
        return orders["unprocessed_orders"], start_page["unprocessed_orders"]

    assert await unprocessed() == (1, 1)
    acknowledged = await api.post(f"{path}/acknowledge", headers=supplier)
    assert acknowledged.status_code == 200, acknowledged.text
    first = acknowledged.json()
    assert (first["status"], first["acknowledged_revision"], first["change_unacknowledged"]) == (
        "acknowledged",
        first["revision"],
        False,
    )
    assert await unprocessed() == (0, 0)

    changed = await api.patch(path, json={"delivery_date": "2027-09-30"}, headers=buyer)
    assert changed.status_code == 200, changed.text
    seen = (await api.get(path, headers=supplier)).json()
    assert seen["delivery_date"] == "2027-09-30"
    assert (seen["status"], seen["change_unacknowledged"]) == ("acknowledged", True)
    assert seen["acknowledged_revision"] == first["revision"] < seen["revision"]
    assert await unprocessed() == (1, 1)

    again = await api.post(f"{path}/acknowledge", headers=supplier)
    assert again.status_code == 200, again.text
    latest = (await api.get(path, headers=supplier)).json()
    assert (latest["status"], latest["change_unacknowledged"]) == ("acknowledged", False)
    assert latest["acknowledged_revision"] == latest["revision"]
    assert await unprocessed() == (0, 0)

    # Nothing new to acknowledge: a clear conflict, as for any repeated acknowledgement.
    repeated = await api.post(f"{path}/acknowledge", headers=supplier)
    assert repeated.status_code == 409, repeated.text
    assert repeated.headers["content-type"].startswith("application/problem+json")
    assert "already acknowledged" in repeated.json()["detail"]
