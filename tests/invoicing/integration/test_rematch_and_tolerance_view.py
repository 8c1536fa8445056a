"""Matching's re-match on a goods receipt approves the invoice it held, once; the supplier never
sees the buyer's tolerance in a verdict (one invoice or a page of them)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, envelope_of, publish, verdict_for
from tests.invoicing.integration.test_consumers import submitted_invoice


async def test_a_rematch_on_a_receipt_approves_the_invoice_held_only_for_it_once(
    service: Service, parties: Parties
) -> None:
    invoice = await submitted_invoice(service, parties)
    held = verdict_for(invoice, "needs_approval", reasons=["not_received"])
    await publish(service.producer, held)
    await service.invoice_in(invoice["id"], parties.admin, "pending")

    rematch = verdict_for(invoice, "auto_approved", rematch_of=held.verdict_id)
    await publish(service.producer, rematch, envelope_of(rematch))
    await publish(service.producer, rematch)  # the same verdict again, as a new message

    approved = await service.invoice_in(invoice["id"], parties.admin, "approved")
    assert approved["matching"]["verdict_id"] == str(rematch.verdict_id)
    assert approved["matching"]["rematch_of"] == str(held.verdict_id)
    assert await service.outbox_events(invoice["id"], "InvoiceApproved") == 1


async def test_the_supplier_sees_the_verdict_without_the_buyers_tolerance(service: Service, parties: Parties) -> None:
    invoice = await submitted_invoice(service, parties)
    verdict = verdict_for(invoice, "needs_approval", tolerance_amount=Decimal("100.00"))
    await publish(service.producer, verdict)
    await service.invoice_in(invoice["id"], parties.admin, "pending")

    as_buyer = (await service.client.get(f"/api/v1/invoices/{invoice['id']}", headers=parties.admin)).json()
    as_supplier = (await service.client.get(f"/api/v1/invoices/{invoice['id']}", headers=parties.supplier)).json()
    page = (await service.client.get("/api/v1/invoices", headers=parties.supplier)).json()
    [listed] = [item for item in page["items"] if item["id"] == invoice["id"]]
    buyer_page = (await service.client.get("/api/v1/invoices", headers=parties.admin)).json()
    [buyer_listed] = [item for item in buyer_page["items"] if item["id"] == invoice["id"]]

    hidden = ("tolerance_rate", "tolerance_amount", "tolerance_limit")
    assert [as_buyer["matching"][name] for name in hidden] == [
        str(verdict.tolerance_rate),
        "100.00",
        str(verdict.tolerance_limit),
    ]
    assert [buyer_listed["matching"][name] for name in hidden] == [as_buyer["matching"][name] for name in hidden]
    assert [as_supplier["matching"][name] for name in hidden] == [None, None, None]
    assert [listed["matching"][name] for name in hidden] == [None, None, None]
    # The rest of the verdict is the supplier's to see: the reasons, the excess, the line report.
    assert as_supplier["matching"]["reasons"] == as_buyer["matching"]["reasons"]
    assert as_supplier["matching"]["excess"] == as_buyer["matching"]["excess"]
    assert uuid.UUID(listed["matching"]["verdict_id"]) == verdict.verdict_id
