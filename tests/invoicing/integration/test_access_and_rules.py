"""Who sees and does what with an invoice, and the rules the API enforces with problem details."""

from __future__ import annotations

import uuid

import pytest

from shared.contracts.orders import PurchaseOrderCanceled, PurchaseOrderClosed, PurchaseOrderInvoicingChanged
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, publish, purchase_order, verdict_for


async def new_draft(service: Service, parties: Parties, number: str = "INV-1") -> dict:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": number}
    created = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)
    assert created.status_code == 201, created.text
    return created.json()


async def test_another_supplier_and_another_tenant_get_404(service: Service, parties: Parties, tokens) -> None:  # type: ignore[no-untyped-def]
    draft = await new_draft(service, parties)
    url = f"/api/v1/invoices/{draft['id']}"
    strangers = [tokens.headers(tokens.supplier(uuid.uuid4())), tokens.headers(tokens.buyer(uuid.uuid4()))]
    for stranger in strangers:
        assert (await service.client.get(url, headers=stranger)).status_code == 404
        assert (await service.client.patch(url, json={"number": "X"}, headers=stranger)).status_code == 404
        assert (await service.client.post(url + "/submit", headers=stranger)).status_code == 404
        assert (await service.client.post(url + "/cancel", headers=stranger)).status_code == 404
        assert (await service.client.post(url + "/approve", headers=stranger)).status_code == 404
        assert (await service.client.get("/api/v1/invoices", headers=stranger)).json()["items"] == []
    other_supplier_po = {"purchase_order_id": draft["purchase_order_id"], "number": "INV-2"}
    created = await service.client.post("/api/v1/invoices", json=other_supplier_po, headers=strangers[0])
    assert created.status_code == 404
    unknown_po = {"purchase_order_id": str(uuid.uuid4()), "number": "INV-3"}
    assert (await service.client.post("/api/v1/invoices", json=unknown_po, headers=parties.supplier)).status_code == 404
    assert (await service.client.get(url, headers=parties.admin)).status_code == 200
    assert (await service.client.get(url)).status_code == 401


async def test_only_the_supplier_creates_edits_and_submits_invoices(service: Service, parties: Parties) -> None:
    draft = await new_draft(service, parties)
    by_buyer = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": draft["purchase_order_id"], "number": "B-1"},
        headers=parties.admin,
    )
    assert by_buyer.status_code == 403
    url = f"/api/v1/invoices/{draft['id']}"
    assert (await service.client.patch(url, json={"number": "B-2"}, headers=parties.admin)).status_code == 403
    assert (await service.client.post(url + "/submit", headers=parties.admin)).status_code == 403


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (PurchaseOrderInvoicingChanged, "fully_invoiced"),
        (PurchaseOrderCanceled, "canceled"),
        (PurchaseOrderClosed, "closed"),
    ],
)
async def test_a_po_that_is_not_open_refuses_new_invoices(service: Service, parties: Parties, event, status) -> None:  # type: ignore[no-untyped-def]
    po = purchase_order(parties, status=status, event=event)
    await service.known_purchase_order(po)
    refused = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": str(po.purchase_order_id), "number": "I"},
        headers=parties.supplier,
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert status.replace("_", " ") in refused.json()["detail"]


async def test_invoice_numbers_are_unique_per_supplier_until_canceled(service: Service, parties: Parties) -> None:
    draft = await new_draft(service, parties, "INV-7")
    body = {"purchase_order_id": draft["purchase_order_id"], "number": "INV-7"}
    duplicate = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)
    assert duplicate.status_code == 409 and "INV-7" in duplicate.json()["detail"]
    other = (
        await service.client.post("/api/v1/invoices", json={**body, "number": "INV-8"}, headers=parties.supplier)
    ).json()
    renamed = await service.client.patch(
        f"/api/v1/invoices/{other['id']}", json={"number": "INV-7"}, headers=parties.supplier
    )
    assert renamed.status_code == 409

    canceled = await service.client.post(f"/api/v1/invoices/{draft['id']}/cancel", headers=parties.supplier)
    assert canceled.json()["status"] == "canceled"
    assert await service.outbox_events(draft["id"], "InvoiceCanceled") == 0  # never submitted: nobody to tell
    again = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)
    assert again.status_code == 201


async def test_lines_must_belong_to_the_po_and_a_submitted_invoice_needs_lines(
    service: Service, parties: Parties
) -> None:
    draft = await new_draft(service, parties)
    line = {"purchase_order_line_id": str(uuid.uuid4()), "quantity": "1", "unit_price": "1.00"}
    body = {"purchase_order_id": draft["purchase_order_id"], "number": "INV-9", "lines": [line]}
    unknown = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "lines.0.purchase_order_line_id"
    new_item = {"purchase_order_line_id": None, "description": "freight", "quantity": "1", "unit_price": "25.50"}
    created = await service.client.post(
        "/api/v1/invoices", json={**body, "lines": [new_item]}, headers=parties.supplier
    )
    assert created.status_code == 201 and created.json()["net_total"] == "25.50"
    for bad in ({**new_item, "quantity": "0"}, {**new_item, "unit_price": "-1"}, {**new_item, "extra": 1}):
        refused = await service.client.post("/api/v1/invoices", json={**body, "lines": [bad]}, headers=parties.supplier)
        assert refused.status_code == 422, bad

    emptied = await service.client.patch(
        f"/api/v1/invoices/{draft['id']}", json={"lines": []}, headers=parties.supplier
    )
    assert emptied.json()["net_total"] == "0.00"
    no_lines = await service.client.post(f"/api/v1/invoices/{draft['id']}/submit", headers=parties.supplier)
    assert no_lines.status_code == 422


async def test_submitted_invoices_are_not_edited_resubmitted_or_canceled_by_the_supplier(
    service: Service, parties: Parties
) -> None:
    draft = await new_draft(service, parties)
    url = f"/api/v1/invoices/{draft['id']}"
    submitted = (await service.client.post(url + "/submit", headers=parties.supplier)).json()
    assert (await service.client.post(url + "/submit", headers=parties.supplier)).status_code == 409
    assert (await service.client.patch(url, json={"number": "X"}, headers=parties.supplier)).status_code == 409
    assert (await service.client.post(url + "/approve", headers=parties.admin)).status_code == 409

    await publish(service.producer, verdict_for(submitted, "needs_approval"))
    await service.invoice_in(draft["id"], parties.supplier, "pending")
    assert (await service.client.post(url + "/cancel", headers=parties.supplier)).status_code == 409
    assert (await service.client.post(url + "/approve", headers=parties.supplier)).status_code == 403
    assert (await service.client.post(url + "/approve", headers=parties.colleague)).status_code == 403
    canceled = await service.client.post(url + "/cancel", headers=parties.admin)
    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    assert await service.outbox_events(draft["id"], "InvoiceCanceled") == 1


async def test_the_list_filters_by_status_and_po_and_pages_newest_first(service: Service, parties: Parties) -> None:
    first = await new_draft(service, parties, "L-1")
    others = [await new_draft(service, parties, f"L-{n}") for n in (2, 3)]
    await service.client.post(f"/api/v1/invoices/{first['id']}/submit", headers=parties.supplier)

    pages, cursor = [], None
    while True:
        query = "/api/v1/invoices?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await service.client.get(query, headers=parties.admin)).json()
        pages.append([i["number"] for i in page["items"]])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == [["L-3", "L-2"], ["L-1"]]
    matching = (await service.client.get("/api/v1/invoices?status=matching", headers=parties.supplier)).json()
    assert [i["number"] for i in matching["items"]] == ["L-1"]
    by_po = await service.client.get(
        f"/api/v1/invoices?purchase_order_id={others[0]['purchase_order_id']}", headers=parties.supplier
    )
    assert [i["number"] for i in by_po.json()["items"]] == ["L-2"]
    assert (await service.client.get("/api/v1/invoices?status=lost", headers=parties.admin)).status_code == 422
