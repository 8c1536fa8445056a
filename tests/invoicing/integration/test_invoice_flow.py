"""The main flow over HTTP and the broker: PO event, prefilled invoice, submission through the
outbox, matching's verdict, the initiator's decision, resubmission and payments."""

from __future__ import annotations

from typing import Any

from portal_dev.testing import poll_until
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, events_of, publish, purchase_order, read_topic, verdict_for

INVOICES_TOPIC = "invoicing.invoice.v1"


async def create_and_submit(service: Service, parties: Parties, **body: Any) -> dict[str, Any]:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    created = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": str(po.purchase_order_id), "number": "INV-1", **body},
        headers=parties.supplier,
    )
    assert created.status_code == 201, created.text
    submitted = await service.client.post(f"/api/v1/invoices/{created.json()['id']}/submit", headers=parties.supplier)
    assert submitted.status_code == 202, submitted.text
    return submitted.json()


async def test_invoice_prefilled_from_the_po_is_submitted_through_the_outbox_and_auto_approved(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"))
    await service.known_purchase_order(po)
    created = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": str(po.purchase_order_id), "number": "INV-100", "issue_date": "2026-03-01"},
        headers=parties.supplier,
    )
    assert created.status_code == 201, created.text
    invoice = created.json()
    assert (invoice["status"], invoice["net_total"], invoice["currency"]) == ("draft", "1100.00", "EUR")
    assert [(ln["quantity"], ln["unit_price"]) for ln in invoice["lines"]] == [("10", "100.00"), ("5", "20.00")]
    assert invoice["purchase_order_number"] == po.number and invoice["matching"] is None

    submitted = await service.client.post(f"/api/v1/invoices/{invoice['id']}/submit", headers=parties.supplier)
    assert submitted.status_code == 202
    assert (submitted.json()["status"], submitted.json()["submission"]) == ("matching", 1)

    [record] = await read_topic(service.broker, INVOICES_TOPIC, 1)
    [event] = events_of([record])
    assert event["type"] == "InvoiceSubmitted" and event["producer"] == "invoicing"
    assert record.key.decode() == str(po.purchase_order_id)
    assert event["data"]["net_total"] == "1100.00" and event["data"]["submission"] == 1

    await publish(service.producer, verdict_for(submitted.json(), "auto_approved"))
    approved = await service.invoice_in(invoice["id"], parties.supplier, "approved")
    assert approved["matching"]["outcome"] == "auto_approved"
    assert approved["matching"]["invoice_net_total"] == "1100.00"
    assert len(approved["matching"]["lines"]) == 2
    assert approved["approver_id"] is None

    records = await read_topic(service.broker, INVOICES_TOPIC, 2)
    assert events_of(records)[1]["type"] == "InvoiceApproved"
    assert events_of(records)[1]["data"]["auto_approved"] is True

    async def outbox_drained() -> bool:
        return await service.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await poll_until(outbox_drained, what="outbox rows marked sent")


async def test_needs_approval_makes_the_invoice_pending_for_the_po_initiator_who_approves_it(
    service: Service, parties: Parties
) -> None:
    submitted = await create_and_submit(service, parties)
    await publish(service.producer, verdict_for(submitted, "needs_approval"))
    pending = await service.invoice_in(submitted["id"], parties.initiator, "pending")
    assert pending["approver_id"] == str(parties.initiator_id)
    assert pending["matching"]["reasons"] == ["over_tolerance"]
    assert pending["matching"]["tolerance_limit"] == "55.00"
    assert pending["matching"]["lines"][0]["price_changed"] is True

    approved = await service.client.post(f"/api/v1/invoices/{submitted['id']}/approve", headers=parties.initiator)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    types = [e["type"] for e in events_of(await read_topic(service.broker, INVOICES_TOPIC, 3))]
    assert types == ["InvoiceSubmitted", "InvoiceApprovalRequested", "InvoiceApproved"]


async def test_rejected_invoice_is_edited_and_resubmitted_and_matched_again(service: Service, parties: Parties) -> None:
    submitted = await create_and_submit(service, parties)
    invoice_id = submitted["id"]
    await publish(service.producer, verdict_for(submitted, "needs_approval"))
    await service.invoice_in(invoice_id, parties.admin, "pending")

    no_reason = await service.client.post(f"/api/v1/invoices/{invoice_id}/reject", json={}, headers=parties.admin)
    assert no_reason.status_code == 422
    rejected = await service.client.post(
        f"/api/v1/invoices/{invoice_id}/reject", json={"reason": "unit price too high"}, headers=parties.admin
    )
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == ("rejected", "unit price too high")

    first_line = submitted["lines"][0]
    patched = await service.client.patch(
        f"/api/v1/invoices/{invoice_id}",
        json={
            "lines": [
                {"purchase_order_line_id": first_line["purchase_order_line_id"], "quantity": "10", "unit_price": "95"}
            ]
        },
        headers=parties.supplier,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["net_total"] == "950.00"

    resubmitted = await service.client.post(f"/api/v1/invoices/{invoice_id}/submit", headers=parties.supplier)
    assert resubmitted.status_code == 202
    again = resubmitted.json()
    assert (again["submission"], again["matching"], again["rejection_reason"]) == (2, None, None)

    # A late verdict on the first submission no longer counts; the one on the second does.
    await publish(service.producer, verdict_for(submitted, "needs_approval"))
    await publish(service.producer, verdict_for(again, "auto_approved"))
    approved = await service.invoice_in(invoice_id, parties.supplier, "approved")
    assert approved["matching"]["submission"] == 2
    assert await service.outbox_events(invoice_id, "InvoiceApprovalRequested") == 1


async def test_payments_make_the_invoice_partly_paid_then_paid_and_never_exceed_the_total(
    service: Service, parties: Parties
) -> None:
    submitted = await create_and_submit(service, parties)
    invoice_id = submitted["id"]
    early = await service.client.post(
        f"/api/v1/invoices/{invoice_id}/payments", json={"amount": "10.00"}, headers=parties.admin
    )
    assert early.status_code == 409 and "not approved" in early.json()["detail"]

    await publish(service.producer, verdict_for(submitted))
    await service.invoice_in(invoice_id, parties.admin, "approved")
    url = f"/api/v1/invoices/{invoice_id}/payments"
    by_supplier = await service.client.post(url, json={"amount": "10.00"}, headers=parties.supplier)
    assert by_supplier.status_code == 403

    partly = await service.client.post(url, json={"amount": "600.00"}, headers=parties.admin)
    assert partly.status_code == 201, partly.text
    assert (partly.json()["status"], partly.json()["paid_total"]) == ("partly_paid", "600.00")
    too_much = await service.client.post(url, json={"amount": "500.01"}, headers=parties.admin)
    assert too_much.status_code == 409 and "exceeds" in too_much.json()["detail"]
    assert (await service.client.post(url, json={"amount": "0"}, headers=parties.admin)).status_code == 422

    paid = await service.client.post(url, json={"amount": "500.00"}, headers=parties.admin)
    assert paid.status_code == 201
    body = paid.json()
    assert (body["status"], body["paid_total"], body["net_total"]) == ("paid", "1100.00", "1100.00")
    assert [p["amount"] for p in body["payments"]] == ["600.00", "500.00"]
    events = events_of(await read_topic(service.broker, INVOICES_TOPIC, 4))
    recorded = [e["data"] for e in events if e["type"] == "InvoicePaymentRecorded"]
    assert [(e["status"], e["payment"]["amount"]) for e in recorded] == [("partly_paid", "600.00"), ("paid", "500.00")]


async def test_prefill_leaves_out_what_live_invoices_of_the_po_already_bill(service: Service, parties: Parties) -> None:
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"))
    await service.known_purchase_order(po)
    first_line = po.lines[0]
    body = {
        "purchase_order_id": str(po.purchase_order_id),
        "number": "INV-A",
        "lines": [{"purchase_order_line_id": str(first_line.line_id), "quantity": "4", "unit_price": "100.00"}],
    }
    first = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    draft_only = {"purchase_order_id": str(po.purchase_order_id), "number": "INV-B"}
    untouched = (await service.client.post("/api/v1/invoices", json=draft_only, headers=parties.supplier)).json()
    assert [ln["quantity"] for ln in untouched["lines"]] == ["10", "5"]  # a draft bills nothing yet

    await service.client.post(f"/api/v1/invoices/{first['id']}/submit", headers=parties.supplier)
    second = await service.client.post(
        "/api/v1/invoices", json={**draft_only, "number": "INV-C"}, headers=parties.supplier
    )
    assert [(ln["purchase_order_line_id"], ln["quantity"]) for ln in second.json()["lines"]] == [
        (str(first_line.line_id), "6"),
        (str(po.lines[1].line_id), "5"),
    ]


async def test_only_a_buyer_admin_records_payments_a_buyer_user_gets_403_and_nothing_is_paid(
    service: Service, parties: Parties
) -> None:
    submitted = await create_and_submit(service, parties)
    await publish(service.producer, verdict_for(submitted))
    await service.invoice_in(submitted["id"], parties.admin, "approved")
    url = f"/api/v1/invoices/{submitted['id']}/payments"

    # Neither the order's initiator (the invoice's approver) nor another buyer user pays it.
    for buyer_user in (parties.initiator, parties.colleague):
        refused = await service.client.post(url, json={"amount": "10.00"}, headers=buyer_user)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == "only a buyer admin records payments on an invoice"
    unpaid = (await service.client.get(f"/api/v1/invoices/{submitted['id']}", headers=parties.admin)).json()
    assert (unpaid["status"], unpaid["paid_total"], unpaid["payments"]) == ("approved", "0.00", [])
    assert await service.outbox_events(submitted["id"], "InvoicePaymentRecorded") == 0

    paid = await service.client.post(url, json={"amount": "10.00"}, headers=parties.admin)
    assert paid.status_code == 201, paid.text
    assert paid.json()["status"] == "partly_paid"
