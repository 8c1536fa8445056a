"""End to end through the gateway: the buyer records goods receipts of a sent PO and reverses one;
both sides read them and the PO's received quantities; another supplier sees none of it; the
supplier is emailed each receipt."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.e2e.conftest import Portal


async def test_receipts_recorded_listed_by_both_sides_and_reversed_move_the_pos_received_quantities(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name="Dockside Supplies", email="sales@dockside.example"
    )
    _, stranger = await portal.onboard_supplier(buyer, name="Other Supplies", email="sales@other-supplies.example")
    po = await portal.create_po(
        buyer,
        supplier_id,
        [
            {"description": "Pallet wrap", "quantity": "20", "unit_price": "4.50"},
            {"description": "Corner boards", "quantity": "100", "unit_price": "0.40"},
        ],
    )
    po = await portal.submit_po(buyer, po["id"])
    wrap, boards = (line["id"] for line in po["lines"])
    receipts = f"/purchase-orders/{po['id']}/receipts"
    today = datetime.now(UTC).date().isoformat()

    first = await api.post(
        receipts,
        json={"received_on": today, "lines": [{"purchase_order_line_id": wrap, "quantity": "12"}], "note": "1 of 2"},
        headers=buyer,
    )
    assert first.status_code == 201, first.text
    assert first.json()["number"] == f"{po['number']}-GR1"
    second = await api.post(
        receipts,
        json={
            "received_on": today,
            "lines": [
                {"purchase_order_line_id": wrap, "quantity": "8"},
                {"purchase_order_line_id": boards, "quantity": "100"},
            ],
        },
        headers=buyer,
    )
    assert second.status_code == 201, second.text
    too_many = await api.post(
        receipts,
        json={"received_on": today, "lines": [{"purchase_order_line_id": wrap, "quantity": "1"}]},
        headers=buyer,
    )
    assert too_many.status_code == 422 and too_many.headers["content-type"] == "application/problem+json"

    for side in (buyer, supplier):
        listed = (await api.get(receipts, headers=side)).json()["items"]
        assert [(r["number"], r["status"], r["note"]) for r in listed] == [
            (f"{po['number']}-GR1", "recorded", "1 of 2"),
            (f"{po['number']}-GR2", "recorded", None),
        ]
        answer = (await api.get(f"/purchase-orders/{po['id']}", headers=side)).json()
        assert [line["received_quantity"] for line in answer["lines"]] == ["20", "100"]

    assert (await api.get(receipts, headers=stranger)).status_code == 404
    assert (await api.get(f"/purchase-orders/{po['id']}", headers=stranger)).status_code == 404
    refused = await api.post(
        receipts,
        json={"received_on": today, "lines": [{"purchase_order_line_id": wrap, "quantity": "1"}]},
        headers=supplier,
    )
    assert refused.status_code == 403, refused.text

    reverse = f"{receipts}/{first.json()['id']}/reverse"
    reversed_receipt = await api.post(reverse, headers=buyer)
    assert reversed_receipt.status_code == 200, reversed_receipt.text
    assert reversed_receipt.json()["status"] == "reversed"
    assert (await api.post(reverse, headers=buyer)).status_code == 409
    answer = (await api.get(f"/purchase-orders/{po['id']}", headers=supplier)).json()
    assert [line["received_quantity"] for line in answer["lines"]] == ["8", "100"]
    listed = (await api.get("/purchase-orders", params={"number": po["number"]}, headers=buyer)).json()["items"]
    assert [line["received_quantity"] for line in listed[0]["lines"]] == ["8", "100"]

    # The supplier is emailed each receipt, not its reversal.
    emails = await portal.email(to="sales@dockside.example", subject=f"Goods received for PO {po['number']}", count=2)
    texts = [m.get_body(preferencelist=("plain",)).get_content() for m in emails]
    assert any(f"{po['number']}-GR1" in text and "12 received" in text for text in texts)
