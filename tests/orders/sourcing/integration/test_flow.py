"""An RFP from draft to award: suppliers answer, the buyer compares, the winner becomes a draft PO."""

from __future__ import annotations

import uuid

from portal_dev.testing import poll_until
from tests.orders.integration.support import OrdersService
from tests.orders.sourcing.integration.support import Tender, rfp_body, rfp_events


async def test_two_suppliers_answer_one_declines_everything_and_the_award_is_a_draft_purchase_order(
    orders: OrdersService,
) -> None:
    tender = await Tender.start(orders, suppliers=4)  # 0, 1, 2 invited; 3 is not
    rfp = await tender.create([0, 1, 2], title="Fasteners")
    assert (rfp["status"], rfp["number"], rfp["currency"]) == ("draft", "RFP-000001", "EUR")
    assert [(x["line_no"], x["quantity"], x["unit"]) for x in rfp["lines"]] == [(1, "10", "pcs"), (2, "5", "box")]
    assert all(x["id"] for x in rfp["lines"])
    rfp_id = rfp["id"]

    # A draft is the buyer's: no supplier sees it; the buyer edits it.
    assert (await tender.get(tender.supplier(0), f"/rfps/{rfp_id}")).status_code == 404
    patched = await orders.client.patch(f"/api/v1/rfps/{rfp_id}", json={"title": "Fasteners Q3"}, headers=tender.buyer)
    assert patched.json()["title"] == "Fasteners Q3"

    published = await tender.post(tender.buyer, f"/rfps/{rfp_id}/publish")
    assert published.json()["status"] == "published"
    [event] = await rfp_events(orders, 1)
    assert (event["type"], event["tenant_id"], event["data"]["rfp_id"]) == ("RfpPublished", str(tender.tenant), rfp_id)
    assert event["data"]["supplier_ids"] == [str(s) for s in tender.suppliers[:3]]
    assert (await tender.post(tender.buyer, f"/rfps/{rfp_id}/publish")).status_code == 409

    # Each invited supplier sees the RFP with itself as the only invited supplier; others see nothing.
    seen = (await tender.get(tender.supplier(0), "/rfps")).json()["items"]
    assert [(x["id"], x["supplier_ids"]) for x in seen] == [(rfp_id, [str(tender.suppliers[0])])]
    assert (await tender.get(tender.supplier(3), "/rfps")).json()["items"] == []
    assert (await tender.get(tender.supplier(3), f"/rfps/{rfp_id}")).status_code == 404
    assert (await tender.answer(3, rfp, "1", "1")).status_code == 404
    assert (await tender.get(tender.supplier(0), "/rfps/summary")).json() == {"open_rfps": 1}
    assert (await tender.get(tender.buyer, "/rfps/summary")).json() == {"open_rfps": 1}

    draft = await tender.answer(0, rfp, "2.50", "0.335", comment="two weeks")
    assert draft.status_code == 200, draft.text
    assert (draft.json()["status"], draft.json()["total"]) == ("draft", "26.68")  # 25.00 + 1.675 → 1.68
    # The buyer does not see drafts.
    assert (await tender.get(tender.buyer, f"/rfps/{rfp_id}/proposals")).json()["proposals"] == []

    first = await tender.answered(0, rfp, "2.40", "0.335")
    assert (first["status"], first["total"]) == ("submitted", "25.68")
    declined = await tender.answered(1, rfp, None, None)
    assert (declined["status"], declined["total"]) == ("rejected", None)
    assert (await tender.get(tender.supplier(0), "/rfps/summary")).json() == {"open_rfps": 0}
    assert (await tender.get(tender.supplier(2), "/rfps/summary")).json() == {"open_rfps": 1}

    # A supplier sees its own proposal, never another's, and not the comparison; in the list too.
    own = (await tender.get(tender.supplier(1), f"/rfps/{rfp_id}")).json()
    assert (own["proposal"]["id"], own["proposal"]["status"]) == (declined["id"], "rejected")
    for who, expected in ((0, first["id"]), (1, declined["id"]), (2, None)):
        [listed] = (await tender.get(tender.supplier(who), "/rfps")).json()["items"]
        assert (listed["proposal"] or {}).get("id") == expected
    assert (await tender.get(tender.buyer, "/rfps")).json()["items"][0]["proposal"] is None
    assert (await tender.get(tender.supplier(1), f"/rfps/{rfp_id}/proposals")).status_code == 403

    comparison = (await tender.get(tender.buyer, f"/rfps/{rfp_id}/proposals")).json()
    assert [(p["proposal_id"], p["status"], p["total"]) for p in comparison["proposals"]] == [
        (first["id"], "submitted", "25.68"),
        (declined["id"], "rejected", None),
    ]
    bolts = comparison["lines"][0]
    assert (bolts["rfp_line_id"], bolts["description"], bolts["quantity"]) == (rfp["lines"][0]["id"], "Bolts M8", "10")
    assert [(o["supplier_id"], o["unit_price"], o["line_total"]) for o in bolts["offers"]] == [
        (str(tender.suppliers[0]), "2.40", "24.00"),
        (str(tender.suppliers[1]), None, None),
    ]

    assert (
        await tender.post(tender.buyer, f"/rfps/{rfp_id}/award", {"proposal_id": declined["id"]})
    ).status_code == 409
    assert (
        await tender.post(tender.supplier(0), f"/rfps/{rfp_id}/award", {"proposal_id": first["id"]})
    ).status_code == 403
    awarded = await tender.post(tender.buyer, f"/rfps/{rfp_id}/award", {"proposal_id": first["id"]})
    assert awarded.status_code == 200, awarded.text
    order_id = awarded.json()["purchase_order_id"]
    again = await tender.post(tender.buyer, f"/rfps/{rfp_id}/award", {"proposal_id": first["id"]})
    assert again.status_code == 409

    order = (await orders.client.get(f"/api/v1/purchase-orders/{order_id}", headers=tender.buyer)).json()
    assert (order["status"], order["supplier_id"], order["currency"]) == ("draft", str(tender.suppliers[0]), "EUR")
    assert order["initiator_id"] == str(tender.buyer_id)
    assert [(x["description"], x["quantity"], x["unit"], x["unit_price"]) for x in order["lines"]] == [
        ("Bolts M8", "10", "pcs", "2.40"),
        ("Nuts M8", "5", "box", "0.335"),
    ]
    assert order["net_total"] == "25.68"

    view = (await tender.get(tender.buyer, f"/rfps/{rfp_id}")).json()
    assert (view["status"], view["purchase_order_id"], view["awarded_proposal_id"]) == (
        "awarded",
        order_id,
        first["id"],
    )
    winner_view = (await tender.get(tender.supplier(0), f"/rfps/{rfp_id}")).json()
    assert (winner_view["status"], winner_view["proposal"]["status"]) == ("awarded", "awarded")
    assert (await tender.answer(0, rfp, "1", "1")).status_code == 409

    events = await rfp_events(orders, 4)
    assert [e["type"] for e in events] == ["RfpPublished", "ProposalSubmitted", "ProposalSubmitted", "RfpAwarded"]
    assert [e["data"]["status"] for e in events[1:3]] == ["submitted", "rejected"]
    award_event = events[3]["data"]
    assert sorted(award_event["participant_ids"]) == sorted(str(s) for s in tender.suppliers[:2])
    assert (award_event["purchase_order_id"], award_event["awarded_proposal_id"]) == (order_id, first["id"])

    async def outbox_drained() -> bool:
        return await orders.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await poll_until(outbox_drained, what="outbox rows marked sent")


async def test_input_and_scope_are_checked_on_both_sides(orders: OrdersService) -> None:
    tender = await Tender.start(orders, suppliers=2)
    other_tenant_supplier = await orders.supplier(uuid.uuid4())
    headers = tender.buyer

    async def create(**overrides: object) -> int:
        body = rfp_body(tender.suppliers, **overrides)
        return (await orders.client.post("/api/v1/rfps", json=body, headers=headers)).status_code

    assert await create(due_date="2020-01-01T00:00:00Z") == 422
    assert await create(supplier_ids=[]) == 422
    assert await create(supplier_ids=[str(other_tenant_supplier)]) == 422
    assert await create(lines=[{"description": "x", "quantity": "0"}]) == 422
    assert await create(currency="USD") == 422  # the suppliers invoice in EUR
    assert await create(surprise=True) == 422
    supplier_creates = await orders.client.post(
        "/api/v1/rfps", json=rfp_body(tender.suppliers), headers=tender.supplier(0)
    )
    assert supplier_creates.status_code == 403

    rfp = await tender.published([0], currency=None)
    stranger = orders.tokens.headers(orders.tokens.buyer(uuid.uuid4()))
    assert (await tender.get(stranger, f"/rfps/{rfp['id']}")).status_code == 404
    assert (await tender.get(tender.supplier(1), f"/rfps/{rfp['id']}")).status_code == 404
    buyer_answers = await orders.client.put(
        f"/api/v1/rfps/{rfp['id']}/proposal",
        json={"lines": [{"rfp_line_id": x["id"], "unit_price": "1"} for x in rfp["lines"]]},
        headers=headers,
    )
    assert buyer_answers.status_code == 403

    missing_line = await tender.answer(0, {**rfp, "lines": rfp["lines"][:1]}, "1")
    assert missing_line.status_code == 422
    assert missing_line.json()["errors"][0]["field"] == "lines"
    negative = await tender.answer(0, rfp, "-1", "1")
    assert negative.status_code == 422
    assert (await tender.submit(0, rfp)).status_code == 404  # nothing answered yet

    # Without an RFP currency the supplier prices in its own.
    assert (await tender.answer(0, rfp, "1", None)).json()["currency"] == "EUR"
    assert (await tender.get(tender.supplier(0), f"/rfps/{rfp['id']}/proposal")).json()["status"] == "draft"
    assert (
        await orders.client.patch(f"/api/v1/rfps/{rfp['id']}", json={"title": "x"}, headers=headers)
    ).status_code == 409
