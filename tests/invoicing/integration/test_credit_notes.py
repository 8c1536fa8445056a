"""Credit notes on the real servers: made of an approved invoice's lines, matched like an invoice,
and once approved (by its verdict or by the initiator) lowering the invoice's balance due in the
same transaction, with the event that says so and what the order may bill again."""

from __future__ import annotations

from typing import Any

from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, events_of, publish, purchase_order, read_topic, verdict_for


async def approved_invoice(service: Service, parties: Parties) -> tuple[Any, dict[str, Any]]:
    po = purchase_order(parties, ("50", "100.00"))
    await service.known_purchase_order(po)
    body = {
        "purchase_order_id": str(po.purchase_order_id),
        "number": "CN-BASE",
        "lines": [{"purchase_order_line_id": str(po.lines[0].line_id), "quantity": "30", "unit_price": "100.00"}],
    }
    invoice = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    submitted = await service.client.post(f"/api/v1/invoices/{invoice['id']}/submit", headers=parties.supplier)
    await publish(service.producer, verdict_for(submitted.json()))
    return po, await service.invoice_in(invoice["id"], parties.supplier, "approved")


def credit_body(invoice: dict[str, Any], quantity: str, number: str = "CN-1") -> dict[str, Any]:
    line = invoice["lines"][0]
    return {
        "kind": "credit_note",
        "credited_invoice_id": invoice["id"],
        "number": number,
        "lines": [{"invoice_line_id": line["id"], "quantity": quantity, "unit_price": "100.00"}],
    }


async def test_an_approved_credit_note_lowers_its_invoices_balance_and_gives_its_quantities_back(
    service: Service, parties: Parties
) -> None:
    po, invoice = await approved_invoice(service, parties)
    created = await service.client.post("/api/v1/invoices", json=credit_body(invoice, "5"), headers=parties.supplier)
    assert created.status_code == 201, created.text
    note = created.json()
    assert (note["kind"], note["purchase_order_id"], note["lines"][0]["credited_line_id"]) == (
        "credit_note",
        str(po.purchase_order_id),
        invoice["lines"][0]["id"],
    )
    submitted = await service.client.post(f"/api/v1/invoices/{note['id']}/submit", headers=parties.supplier)
    assert submitted.json()["due_date"] is None
    await publish(service.producer, verdict_for(submitted.json()))
    await service.invoice_in(note["id"], parties.supplier, "approved")

    credited = (await service.client.get(f"/api/v1/invoices/{invoice['id']}", headers=parties.supplier)).json()
    assert (credited["credited_total"], credited["balance_due"]) == ("500.00", "2500.00")
    # What the order may still bill: 50 ordered, 30 invoiced, 5 given back.
    prefilled = (
        await service.client.post(
            "/api/v1/invoices",
            json={"purchase_order_id": str(po.purchase_order_id), "number": "CN-AGAIN"},
            headers=parties.supplier,
        )
    ).json()
    assert [line["quantity"] for line in prefilled["lines"]] == ["25"]

    events = events_of(await read_topic(service.broker, "invoicing.invoice.v1", 5))
    [told] = [e for e in events if e["type"] == "InvoiceCredited"]
    assert (told["data"]["invoice_id"], told["data"]["credit_note_id"], told["data"]["balance_due"]) == (
        invoice["id"],
        note["id"],
        "2500.00",
    )
    listed = await service.client.get(
        "/api/v1/invoices", params={"credited_invoice_id": invoice["id"]}, headers=parties.supplier
    )
    assert [n["number"] for n in listed.json()["items"]] == ["CN-1"]
    kinds = await service.client.get("/api/v1/invoices", params={"kind": "invoice"}, headers=parties.supplier)
    assert sorted(i["number"] for i in kinds.json()["items"]) == ["CN-AGAIN", "CN-BASE"]


async def test_a_held_credit_note_approved_by_the_initiator_credits_its_invoice_once(
    service: Service, parties: Parties
) -> None:
    _, invoice = await approved_invoice(service, parties)
    note = (
        await service.client.post("/api/v1/invoices", json=credit_body(invoice, "31"), headers=parties.supplier)
    ).json()
    submitted = await service.client.post(f"/api/v1/invoices/{note['id']}/submit", headers=parties.supplier)
    await publish(service.producer, verdict_for(submitted.json(), "needs_approval", reasons=["credit_exceeds_invoice"]))
    held = await service.invoice_in(note["id"], parties.admin, "pending")
    assert held["matching"]["reasons"] == ["credit_exceeds_invoice"]
    untouched = (await service.client.get(f"/api/v1/invoices/{invoice['id']}", headers=parties.admin)).json()
    assert untouched["balance_due"] == "3000.00"

    approved = await service.client.post(f"/api/v1/invoices/{note['id']}/approve", headers=parties.admin)
    assert approved.status_code == 200, approved.text
    credited = (await service.client.get(f"/api/v1/invoices/{invoice['id']}", headers=parties.admin)).json()
    assert (credited["credited_total"], credited["balance_due"]) == ("3100.00", "-100.00")
    refused = await service.client.post(
        f"/api/v1/invoices/{note['id']}/payments", json={"amount": "1.00"}, headers=parties.admin
    )
    assert refused.status_code == 409


async def test_a_credit_note_names_lines_of_its_invoice_and_its_order(service: Service, parties: Parties) -> None:
    po, invoice = await approved_invoice(service, parties)
    wrong_line = credit_body(invoice, "1")
    wrong_line["lines"][0]["invoice_line_id"] = str(po.lines[0].line_id)
    refused = await service.client.post("/api/v1/invoices", json=wrong_line, headers=parties.supplier)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["lines.0.invoice_line_id"]

    other_order = {**credit_body(invoice, "1"), "purchase_order_id": str(purchase_order(parties).purchase_order_id)}
    refused = await service.client.post("/api/v1/invoices", json=other_order, headers=parties.supplier)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["purchase_order_id"]

    po_lines = {
        **credit_body(invoice, "1"),
        "lines": [{"purchase_order_line_id": None, "quantity": "1", "unit_price": "1"}],
    }
    refused = await service.client.post("/api/v1/invoices", json=po_lines, headers=parties.supplier)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["lines.0"]
