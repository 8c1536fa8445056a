"""The buyer organisation's settings over the broker: a required issue date, and the supplier
portal switch (suppliers' drafts deleted, suppliers billing only what remains, buyers writing
invoices on their behalf)."""

from __future__ import annotations

import uuid
from typing import Any

from portal_dev.testing import Tokens
from shared.auth import Principal, TokenIssuer
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, organisation, purchase_order

OFF_DETAIL = "buyer has switched its supplier portal off"


async def create(
    service: Service, parties: Parties, headers: dict[str, str], number: str, po_id: Any, **body: Any
) -> Any:
    body = {"purchase_order_id": str(po_id), "number": number, **body}
    return await service.client.post("/api/v1/invoices", json=body, headers=headers)


async def test_a_buyer_requiring_an_issue_date_refuses_a_submission_without_one(
    service: Service, parties: Parties
) -> None:
    await service.known_organisation(organisation(parties, 1, issue_date=True))
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    draft = (await create(service, parties, parties.supplier, "INV-1", po.purchase_order_id)).json()
    url = f"/api/v1/invoices/{draft['id']}"

    refused = await service.client.post(url + "/submit", headers=parties.supplier)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert "buyer requires an issue date" in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == ["issue_date"]
    assert await service.outbox_events(draft["id"], "InvoiceSubmitted") == 0

    await service.client.patch(url, json={"issue_date": "2026-03-02"}, headers=parties.supplier)
    submitted = await service.client.post(url + "/submit", headers=parties.supplier)
    assert submitted.status_code == 202, submitted.text

    # Turned off again: an invoice without a date goes through.
    await service.known_organisation(organisation(parties, 2, issue_date=False))
    another_po = purchase_order(parties)
    await service.known_purchase_order(another_po)
    undated = (await create(service, parties, parties.supplier, "INV-2", another_po.purchase_order_id)).json()
    assert (
        await service.client.post(f"/api/v1/invoices/{undated['id']}/submit", headers=parties.supplier)
    ).status_code == 202


def restricted_supplier(parties: Parties, tokens: Tokens) -> dict[str, str]:
    """The supplier's user as the gateway restates it while the buyer's portal is off."""
    principal = Principal(
        user_id=uuid.uuid4(),
        role="supplier",
        supplier_ids=frozenset({parties.supplier_id}),
        restricted_supplier_ids=frozenset({parties.supplier_id}),
    )
    return tokens.headers(TokenIssuer(tokens.private_key_file.read_text()).issue(principal))


def billing(po: Any, *quantities: str) -> list[dict[str, str]]:
    return [
        {"purchase_order_line_id": str(line.line_id), "quantity": q, "unit_price": str(line.unit_price)}
        for line, q in zip(po.lines, quantities, strict=False)
    ]


async def test_while_the_portal_is_off_suppliers_bill_what_remains_and_buyers_write_invoices_on_their_behalf(
    service: Service, parties: Parties, tokens: Tokens
) -> None:
    await service.known_organisation(organisation(parties, 1, portal=True))
    po = purchase_order(parties, ("10", "100.00"))
    await service.known_purchase_order(po)
    supplier_draft = (await create(service, parties, parties.supplier, "S-1", po.purchase_order_id)).json()
    await service.client.post(
        f"/api/v1/invoices/{supplier_draft['id']}/comments", json={"body": "mine"}, headers=parties.supplier
    )
    four = [{"purchase_order_line_id": str(po.lines[0].line_id), "quantity": "4", "unit_price": "100.00"}]
    submitted = (await create(service, parties, parties.supplier, "S-2", po.purchase_order_id, lines=four)).json()
    await service.client.post(f"/api/v1/invoices/{submitted['id']}/submit", headers=parties.supplier)
    assert (await create(service, parties, parties.admin, "B-0", po.purchase_order_id)).status_code == 403

    await service.known_organisation(organisation(parties, 2, portal=False))
    restricted = restricted_supplier(parties, tokens)
    # The supplier's draft is gone with its comments; the submitted invoice stays readable.
    assert (await service.client.get(f"/api/v1/invoices/{supplier_draft['id']}", headers=restricted)).status_code == 404
    assert await service.scalar("SELECT count(*) FROM invoice_comments") == 0
    assert (await service.client.get(f"/api/v1/invoices/{submitted['id']}", headers=restricted)).status_code == 200

    by_user = await create(service, parties, parties.colleague, "B-1", po.purchase_order_id)
    assert by_user.status_code == 201, by_user.text
    written = by_user.json()
    assert (written["created_by_buyer"], written["supplier_id"], written["status"]) == (
        True,
        str(parties.supplier_id),
        "draft",
    )
    assert [ln["quantity"] for ln in written["lines"]] == ["6"]  # prefilled with what S-2 left
    edited = await service.client.patch(
        f"/api/v1/invoices/{written['id']}", json={"issue_date": "2026-04-01"}, headers=parties.admin
    )
    assert edited.status_code == 200
    sent = await service.client.post(f"/api/v1/invoices/{written['id']}/submit", headers=parties.colleague)
    assert sent.status_code == 202, sent.text
    event = await service.scalar(
        "SELECT convert_from(value, 'UTF8')::jsonb -> 'data' FROM outbox WHERE event_type = 'InvoiceSubmitted'"
        " AND convert_from(value, 'UTF8')::jsonb -> 'data' ->> 'invoice_id' = :id",
        id=written["id"],
    )
    assert (event["created_by_buyer"], event["initiator_id"]) == (True, str(parties.initiator_id))
    assert (await service.client.get(f"/api/v1/invoices/{written['id']}", headers=parties.supplier)).status_code == 200

    one = [{"purchase_order_line_id": str(po.lines[0].line_id), "quantity": "1", "unit_price": "100.00"}]
    kept_draft = (await create(service, parties, parties.admin, "B-2", po.purchase_order_id, lines=one)).json()
    other_tenant = tokens.headers(tokens.buyer(uuid.uuid4()))
    assert (await create(service, parties, other_tenant, "B-3", po.purchase_order_id)).status_code == 404

    # On again: suppliers are back, buyers may no longer create; nothing deleted comes back.
    await service.known_organisation(organisation(parties, 3, portal=True))
    assert (await create(service, parties, parties.admin, "B-4", po.purchase_order_id)).status_code == 403
    new_draft = await create(service, parties, parties.supplier, "S-4", po.purchase_order_id, lines=one)
    assert new_draft.status_code == 201
    by_buyer_draft = f"/api/v1/invoices/{kept_draft['id']}"
    refused = await service.client.patch(by_buyer_draft, json={"number": "S-5"}, headers=parties.supplier)
    assert refused.status_code == 403  # the buyer's invoice stays the buyer's to change
    assert (
        await service.client.patch(by_buyer_draft, json={"number": "B-2b"}, headers=parties.admin)
    ).status_code == 200

    # Off once more: only the supplier's new draft goes; the buyer's draft stays.
    await service.known_organisation(organisation(parties, 4, portal=False))
    numbers = {
        i["number"] for i in (await service.client.get("/api/v1/invoices", headers=parties.admin)).json()["items"]
    }
    assert numbers == {"S-2", "B-1", "B-2b"}
    canceled = await service.client.post(f"{by_buyer_draft}/cancel", headers=parties.colleague)
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"


async def test_a_restricted_supplier_invoices_only_what_remains_on_orders_still_to_invoice(
    service: Service, parties: Parties, tokens: Tokens
) -> None:
    await service.known_organisation(organisation(parties, 1, portal=False))
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"))
    await service.known_purchase_order(po)
    restricted = restricted_supplier(parties, tokens)
    first = (await create(service, parties, restricted, "R-1", po.purchase_order_id, lines=billing(po, "4"))).json()
    assert (await service.client.post(f"/api/v1/invoices/{first['id']}/submit", headers=restricted)).status_code == 202

    beyond = await create(service, parties, restricted, "R-2", po.purchase_order_id, lines=billing(po, "6.5", "5"))
    assert beyond.status_code == 422, beyond.text
    assert beyond.headers["content-type"] == "application/problem+json"
    assert OFF_DETAIL in beyond.json()["detail"]
    assert beyond.json()["errors"] == [
        {"field": "lines.0.quantity", "message": "at most 6 remains to invoice on this purchase order line"}
    ]
    new_item = [
        *billing(po, "1"),
        {"purchase_order_line_id": None, "description": "Freight", "quantity": "1", "unit_price": "9"},
    ]
    refused = await create(service, parties, restricted, "R-2", po.purchase_order_id, lines=new_item)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["lines.1.purchase_order_line_id"]

    # Two drafts for all that remains: each fits alone, only the first submission goes through.
    drafts = []
    for number in ("R-2", "R-3"):
        made = await create(service, parties, restricted, number, po.purchase_order_id, lines=billing(po, "6", "5"))
        assert made.status_code == 201, made.text
        drafts.append(made.json())
    url = f"/api/v1/invoices/{drafts[1]['id']}"
    assert (await service.client.patch(url, json={"lines": billing(po, "7")}, headers=restricted)).status_code == 422
    assert (await service.client.patch(url, json={"number": "R-3b"}, headers=restricted)).status_code == 200
    submitted = await service.client.post(f"/api/v1/invoices/{drafts[0]['id']}/submit", headers=restricted)
    assert submitted.status_code == 202, submitted.text
    late = await service.client.post(f"{url}/submit", headers=restricted)
    assert late.status_code == 422, late.text
    assert [e["field"] for e in late.json()["errors"]] == ["lines.0.quantity", "lines.1.quantity"]
    assert await service.outbox_events(drafts[1]["id"], "InvoiceSubmitted") == 0
    assert (await service.client.post(f"{url}/cancel", headers=restricted)).json()["status"] == "canceled"

    # Nothing remains: the order is no longer the supplier's to invoice, whatever the invoices' status.
    covered = await create(service, parties, restricted, "R-4", po.purchase_order_id, lines=billing(po, "1"))
    assert covered.status_code == 404, covered.text
    assert (await create(service, parties, restricted, "R-4", po.purchase_order_id)).status_code == 404
    # The buyer may still write on the supplier's behalf (matching judges its quantities).
    assert (
        await create(service, parties, parties.admin, "B-1", po.purchase_order_id, lines=billing(po, "1"))
    ).status_code == 201


async def test_a_restricted_supplier_gets_a_draft_prefilled_with_what_remains(
    service: Service, parties: Parties, tokens: Tokens
) -> None:
    await service.known_organisation(organisation(parties, 1, portal=False))
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"))
    await service.known_purchase_order(po)
    restricted = restricted_supplier(parties, tokens)
    first = (
        await create(service, parties, restricted, "P-1", po.purchase_order_id, lines=billing(po, "10", "2"))
    ).json()
    assert (await service.client.post(f"/api/v1/invoices/{first['id']}/submit", headers=restricted)).status_code == 202

    prefilled = await create(service, parties, restricted, "P-2", po.purchase_order_id)
    assert prefilled.status_code == 201, prefilled.text
    assert [(ln["purchase_order_line_id"], ln["quantity"]) for ln in prefilled.json()["lines"]] == [
        (str(po.lines[1].line_id), "3")
    ]
    sent = await service.client.post(f"/api/v1/invoices/{prefilled.json()['id']}/submit", headers=restricted)
    assert sent.status_code == 202, sent.text
