"""Concurrent decisions and payments on one invoice serialise on its row (SELECT ... FOR UPDATE)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, publish, purchase_order, verdict_for


async def matched_invoice(service: Service, parties: Parties, outcome: str) -> str:
    po = purchase_order(parties, ("10", "100.00"))
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": "C-1"}
    created = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    submitted = (await service.client.post(f"/api/v1/invoices/{created['id']}/submit", headers=parties.supplier)).json()
    await publish(service.producer, verdict_for(submitted, outcome))
    await service.invoice_in(created["id"], parties.admin, "approved" if outcome == "auto_approved" else "pending")
    return created["id"]


async def test_concurrent_approve_and_reject_one_wins_and_the_other_gets_409(
    service: Service, parties: Parties
) -> None:
    invoice_id = await matched_invoice(service, parties, "needs_approval")
    url = f"/api/v1/invoices/{invoice_id}"
    approve, reject = await asyncio.gather(
        service.client.post(url + "/approve", headers=parties.initiator),
        service.client.post(url + "/reject", json={"reason": "duplicate"}, headers=parties.admin),
    )
    assert sorted([approve.status_code, reject.status_code]) == [200, 409]
    winner = approve if approve.status_code == 200 else reject
    final = (await service.client.get(url, headers=parties.admin)).json()
    assert final["status"] == winner.json()["status"]
    decisions = [await service.outbox_events(invoice_id, t) for t in ("InvoiceApproved", "InvoiceRejected")]
    assert sum(decisions) == 1


async def test_concurrent_payments_never_pay_more_than_the_net_total(service: Service, parties: Parties) -> None:
    invoice_id = await matched_invoice(service, parties, "auto_approved")
    url = f"/api/v1/invoices/{invoice_id}/payments"
    answers = await asyncio.gather(
        *(service.client.post(url, json={"amount": "300.00"}, headers=parties.admin) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 3
    final = (await service.client.get(f"/api/v1/invoices/{invoice_id}", headers=parties.admin)).json()
    assert Decimal(final["paid_total"]) == Decimal("900.00") <= Decimal(final["net_total"])
    assert final["status"] == "partly_paid" and len(final["payments"]) == 3
    assert await service.outbox_events(invoice_id, "InvoicePaymentRecorded") == 3
