"""A page of invoices (written by PostgreSQL) says exactly what each invoice says when asked alone:
lines, the verdict with its line report, payments and the paid total."""

from __future__ import annotations

import uuid
from typing import Any

from portal_dev.testing import all_pages, key_order
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


async def test_waiting_for_me_lists_the_held_invoices_routed_to_the_caller_oldest_first(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("100", "1.00"))
    await service.known_purchase_order(po)
    one = [{"purchase_order_line_id": str(po.lines[0].line_id), "quantity": "1", "unit_price": "1.00"}]
    held = []
    for number in ("W-1", "W-2", "W-3"):
        invoice = await submitted(service, parties, po.purchase_order_id, number, lines=one)
        await publish(service.producer, verdict_for(invoice, "needs_approval"))
        held.append((await service.invoice_in(invoice["id"], parties.initiator, "pending"))["id"])
    # Approved on the spot: nothing to decide, so not waiting for anybody.
    approved = await submitted(service, parties, po.purchase_order_id, "W-4", lines=one)
    await publish(service.producer, verdict_for(approved))
    await service.invoice_in(approved["id"], parties.initiator, "approved")

    waiting = await every_page(service, parties.initiator, "&waiting_for_me=true")
    assert [item["id"] for item in waiting] == held  # the longest waiting first, across pages of two
    assert all(item["approver_id"] == str(parties.initiator_id) for item in waiting)
    # Once decided it waits no more.
    decided = await service.client.post(f"/api/v1/invoices/{held[0]}/approve", headers=parties.initiator)
    assert decided.status_code == 200, decided.text
    assert [i["id"] for i in await every_page(service, parties.initiator, "&waiting_for_me=true")] == held[1:]

    # Routed to the initiator, not to a colleague nor to the supplier (which sees its own as pending).
    assert await every_page(service, parties.colleague, "&waiting_for_me=true") == []
    assert await every_page(service, parties.supplier, "&waiting_for_me=true") == []

    async def waiting_count(headers: dict[str, str]) -> int:
        summary = await service.client.get("/api/v1/invoices/summary", headers=headers)
        assert summary.status_code == 200, summary.text
        count: int = summary.json()["waiting_for_me"]
        return count

    assert await waiting_count(parties.initiator) == 2
    assert await waiting_count(parties.colleague) == 0
    assert await waiting_count(parties.supplier) == 0


async def test_a_buyer_lists_one_suppliers_invoices(service: Service, parties: Parties) -> None:
    po = purchase_order(parties, ("100", "1.00"))
    await service.known_purchase_order(po)
    ours = await submitted(service, parties, po.purchase_order_id, "S-1")
    other = Parties(parties.tokens, parties.tenant_id, uuid.uuid4(), parties.initiator_id)
    other_po = purchase_order(other, ("100", "1.00"))
    await service.known_purchase_order(other_po)
    theirs = await submitted(service, other, other_po.purchase_order_id, "S-1")

    def ids(items: list[dict[str, Any]]) -> list[str]:
        return [item["id"] for item in items]

    assert ids(await every_page(service, parties.admin, f"&supplier_id={parties.supplier_id}")) == [ours["id"]]
    assert ids(await every_page(service, parties.admin, f"&supplier_id={other.supplier_id}")) == [theirs["id"]]
    # A supplier naming another supplier's record sees nothing of it.
    assert await every_page(service, parties.supplier, f"&supplier_id={other.supplier_id}") == []
    refused = await service.client.get("/api/v1/invoices?supplier_id=not-an-id", headers=parties.admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
