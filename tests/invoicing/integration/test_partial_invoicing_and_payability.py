"""Partly invoiced purchase orders (prefill of what is left, explicit lines taken as typed for
matching to judge) and payments refused, with the reason, on invoices that are not approved."""

from __future__ import annotations

from typing import Any

import pytest

from shared.contracts.orders import PurchaseOrderInvoicingChanged
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, events_of, publish, purchase_order, read_topic, verdict_for


async def create(service: Service, parties: Parties, po_id: Any, number: str, lines: Any = None) -> Any:
    body: dict[str, Any] = {"purchase_order_id": str(po_id), "number": number}
    if lines is not None:
        body["lines"] = lines
    return await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)


async def submit(service: Service, parties: Parties, invoice_id: str) -> dict[str, Any]:
    submitted = await service.client.post(f"/api/v1/invoices/{invoice_id}/submit", headers=parties.supplier)
    assert submitted.status_code == 202, submitted.text
    return submitted.json()


async def test_a_line_above_what_is_left_is_accepted_as_typed_and_sent_to_matching_unchanged(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("10", "100.00"))
    await service.known_purchase_order(po)
    line_id = str(po.lines[0].line_id)
    first = (
        await create(
            service,
            parties,
            po.purchase_order_id,
            "P-1",
            [{"purchase_order_line_id": line_id, "quantity": "6", "unit_price": "100.00"}],
        )
    ).json()
    await submit(service, parties, first["id"])
    # The orders service tells of the partial invoicing; the read model follows.
    partly = purchase_order(
        parties,
        ("10", "100.00"),
        po_id=po.purchase_order_id,
        line_ids=[po.lines[0].line_id],
        status="partially_invoiced",
        revision=2,
        event=PurchaseOrderInvoicingChanged,
    )
    await service.known_purchase_order(partly)

    prefilled = (await create(service, parties, po.purchase_order_id, "P-2")).json()
    assert [(ln["purchase_order_line_id"], ln["quantity"]) for ln in prefilled["lines"]] == [(line_id, "4")]

    over = [
        {"purchase_order_line_id": line_id, "quantity": "10", "unit_price": "100.00"},
        {"purchase_order_line_id": None, "description": "express freight", "quantity": "1", "unit_price": "35.00"},
    ]
    typed = await create(service, parties, po.purchase_order_id, "P-3", over)
    assert typed.status_code == 201, typed.text
    assert [ln["quantity"] for ln in typed.json()["lines"]] == ["10", "1"]
    assert typed.json()["net_total"] == "1035.00"
    await submit(service, parties, typed.json()["id"])

    events = events_of(await read_topic(service.broker, "invoicing.invoice.v1", 2))
    [sent] = [e["data"] for e in events if e["data"]["number"] == "P-3"]
    assert [(ln["purchase_order_line_id"], ln["quantity"]) for ln in sent["lines"]] == [(line_id, "10"), (None, "1")]
    assert sent["net_total"] == "1035.00"


async def test_a_po_whose_live_invoices_bill_everything_refuses_a_prefilled_invoice(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"))
    await service.known_purchase_order(po)
    everything = (await create(service, parties, po.purchase_order_id, "F-1")).json()
    await submit(service, parties, everything["id"])
    refused = await create(service, parties, po.purchase_order_id, "F-2")
    assert refused.status_code == 409
    assert "fully invoiced" in refused.json()["detail"]
    extra = [{"purchase_order_line_id": str(po.lines[0].line_id), "quantity": "1", "unit_price": "100.00"}]
    assert (await create(service, parties, po.purchase_order_id, "F-3", extra)).status_code == 201


async def invoice_in_status(service: Service, parties: Parties, status: str) -> dict[str, Any]:
    po = purchase_order(parties, ("10", "100.00"))
    await service.known_purchase_order(po)
    invoice = (await create(service, parties, po.purchase_order_id, "INV-1")).json()
    url = f"/api/v1/invoices/{invoice['id']}"
    if status == "draft":
        return invoice
    if status == "canceled":
        return (await service.client.post(url + "/cancel", headers=parties.supplier)).json()
    submitted = await submit(service, parties, invoice["id"])
    if status == "matching":
        return submitted
    await publish(service.producer, verdict_for(submitted, "auto_approved" if status == "paid" else "needs_approval"))
    reached = await service.invoice_in(invoice["id"], parties.admin, "approved", "pending")
    if status == "rejected":
        await service.client.post(url + "/reject", json={"reason": "no"}, headers=parties.admin)
    if status == "paid":
        await service.client.post(url + "/payments", json={"amount": reached["net_total"]}, headers=parties.admin)
    final = (await service.client.get(url, headers=parties.admin)).json()
    assert final["status"] == status
    return final


@pytest.mark.parametrize(
    ("status", "because"),
    [
        ("draft", "is a draft that was never submitted, so it is not approved"),
        ("matching", "is still being matched against its purchase order, so it is not approved yet"),
        ("pending", "is pending approval"),
        ("rejected", "was rejected"),
        ("canceled", "was canceled"),
        ("paid", "is already paid in full"),
    ],
)
async def test_a_payment_on_an_invoice_that_is_not_payable_is_refused_saying_why(
    service: Service, parties: Parties, status: str, because: str
) -> None:
    invoice = await invoice_in_status(service, parties, status)
    refused = await service.client.post(
        f"/api/v1/invoices/{invoice['id']}/payments", json={"amount": "1.00"}, headers=parties.admin
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == f"invoice INV-1 {because}; only approved invoices can be paid"
    assert await service.outbox_events(invoice["id"], "InvoicePaymentRecorded") == (1 if status == "paid" else 0)
