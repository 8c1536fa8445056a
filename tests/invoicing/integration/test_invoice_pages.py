"""A page of invoices (written by PostgreSQL) says exactly what each invoice says when asked alone:
lines, the verdict with its line report, payments and the paid total."""

from __future__ import annotations

from typing import Any

from shared.testing import all_pages, key_order
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, publish, purchase_order, verdict_for


async def every_page(service: Service, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    return await all_pages(service.client, f"/api/v1/invoices?limit=2{query}", headers)


async def submitted(service: Service, parties: Parties, po_id: Any, number: str, **body: Any) -> dict[str, Any]:
    created = await service.client.post(
        "/api/v1/invoices", json={"purchase_order_id": str(po_id), "number": number, **body}, headers=parties.supplier
    )
    assert created.status_code == 201, created.text
    answer = await service.client.post(f"/api/v1/invoices/{created.json()['id']}/submit", headers=parties.supplier)
    assert answer.status_code == 202, answer.text
    return answer.json()


async def test_each_invoice_on_a_page_reads_exactly_as_the_invoice_asked_alone(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"), ("1", "0.335"))
    await service.known_purchase_order(po)
    lines = [str(line.line_id) for line in po.lines]

    pending = await submitted(service, parties, po.purchase_order_id, "P-1")
    await publish(service.producer, verdict_for(pending, "needs_approval"))
    await service.invoice_in(pending["id"], parties.supplier, "pending")

    paid_in_part = await submitted(
        service,
        parties,
        po.purchase_order_id,
        "P-2",
        lines=[
            {"purchase_order_line_id": lines[0], "quantity": "2", "unit_price": "100.00"},
            {"purchase_order_line_id": None, "description": 'Freight "x"\n✓', "quantity": "1", "unit_price": "35"},
        ],
    )
    await publish(service.producer, verdict_for(paid_in_part))
    await service.invoice_in(paid_in_part["id"], parties.admin, "approved")
    payments = f"/api/v1/invoices/{paid_in_part['id']}/payments"
    for amount in ("100", "0.5"):
        paid = await service.client.post(payments, json={"amount": amount}, headers=parties.admin)
        assert paid.status_code == 201, paid.text

    half_line = {"purchase_order_line_id": lines[2], "quantity": "0.5", "unit_price": "0.335"}
    draft = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": str(po.purchase_order_id), "number": "P-3", "lines": [half_line]},
        headers=parties.supplier,
    )
    assert draft.status_code == 201, draft.text

    newest_first = [draft.json()["id"], paid_in_part["id"], pending["id"]]
    for headers in (parties.supplier, parties.admin):
        listed = await every_page(service, headers)
        assert [item["id"] for item in listed] == newest_first
        for item in listed:
            alone = (await service.client.get(f"/api/v1/invoices/{item['id']}", headers=headers)).json()
            assert item == alone
            assert key_order(item) == key_order(alone)

    [shown_pending] = await every_page(service, parties.supplier, "&status=pending")
    assert shown_pending["matching"]["outcome"] == "needs_approval"
    assert len(shown_pending["matching"]["lines"]) == 3
    [shown_paid] = await every_page(service, parties.admin, "&status=partly_paid")
    assert [p["amount"] for p in shown_paid["payments"]] == ["100", "0.5"]
    assert shown_paid["paid_total"] == "100.50"
    assert shown_paid["lines"][1]["purchase_order_line_id"] is None


async def test_another_suppliers_invoices_are_not_on_its_pages(service: Service, parties: Parties) -> None:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    await submitted(service, parties, po.purchase_order_id, "X-1")
    stranger = Parties.new(parties.tokens)
    assert await every_page(service, stranger.supplier) == []
