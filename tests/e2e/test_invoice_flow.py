"""End to end through the gateway, every service in its own process, emails read from the sink:
onboard a supplier, send a PO, invoice it, match, approve, pay."""

from __future__ import annotations

from decimal import Decimal

import httpx

from portal_dev.testing import poll_until
from shared.contracts.invoicing import INVOICES_TOPIC
from tests.e2e.conftest import ADMIN_EMAIL, Portal
from tests.otlp_receiver import OtlpReceiver, ReceivedSpan


def journey(traces: OtlpReceiver, invoice_id: str) -> list[ReceivedSpan] | None:
    """The trace of the invoice's submission once it reaches the approval email, every span's
    parent in it (None until then)."""
    path = f"/api/v1/invoices/{invoice_id}/submit"
    roots = [
        span
        for span in traces.received()
        if (span.service, span.kind, span.attributes.get("http.target")) == ("gateway", "server", path)
    ]
    if len(roots) != 1:
        return None
    trace = traces.trace(roots[0].trace_id)
    ids = {span.span_id for span in trace}
    emailed = [span for span in trace if (span.service, span.name) == ("notifier", "email send")]
    complete = all(span.parent_span_id in ids for span in trace if span != roots[0])
    return trace if emailed and complete else None


async def test_onboarding_po_invoice_matching_approval_and_payment_with_emails(
    api: httpx.AsyncClient, portal: Portal, traces: OtlpReceiver
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Acme Tools", email="sales@acme.example")
    me = (await api.get("/me", headers=supplier)).json()
    assert me["role"] == "supplier" and me["supplier_ids"] == [supplier_id]

    # A PO of 5,000.00: the supplier gets it by email with the PDF attached.
    po = await portal.create_po(
        buyer,
        supplier_id,
        [
            {"description": "Bolts", "quantity": "100", "unit_price": "30.00"},
            {"description": "Nuts", "quantity": "200", "unit_price": "10.00"},
        ],
    )
    await portal.submit_po(buyer, po["id"])
    assert po["net_total"] == "5000.00"
    [po_mail] = await portal.email(to="sales@acme.example", subject=po["number"])
    [pdf] = [part for part in po_mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")
    assert (await api.get(f"/purchase-orders/{po['id']}", headers=supplier)).json()["status"] == "sent"

    # An invoice prefilled with the remaining quantities: exact match, approved on the spot.
    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": po["id"], "number": "INV-1", "issue_date": "2026-11-23"}
    )
    assert invoice["status"] == "draft" and invoice["net_total"] == "5000.00"
    assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    approved = await portal.invoice_in(supplier, invoice["id"], "approved")
    assert approved["matching"]["outcome"] == "auto_approved"
    assert Decimal(approved["matching"]["excess"]) == 0
    await portal.email(to="sales@acme.example", subject="approved")

    # The invoice's journey is one trace: the gateway's request, invoicing, the event over Kafka
    # to matching (its span the child of the publish in invoicing: the trace context travelled in
    # the record's headers), the verdict back, and the notifier's handling and email.
    trace = await poll_until(lambda: journey(traces, invoice["id"]), timeout_s=30, what="the invoice's trace")
    assert {"gateway", "invoicing", "matching", "notifier"} <= {span.service for span in trace}
    by_id = {span.span_id: span for span in trace}
    handled = [span for span in trace if (span.service, span.name) == ("matching", f"{INVOICES_TOPIC} process")]
    assert handled and all(
        (by_id[span.parent_span_id].service, by_id[span.parent_span_id].name)
        == ("invoicing", f"{INVOICES_TOPIC} publish")
        for span in handled
    )

    async def fully_invoiced() -> bool:
        order = (await api.get(f"/purchase-orders/{po['id']}", headers=buyer)).json()
        remaining = [Decimal(line["remaining_quantity"]) for line in order["lines"]]
        return order["status"] == "fully_invoiced" and remaining == [0, 0]

    await poll_until(fully_invoiced, timeout_s=30, what="the PO to be fully invoiced")

    # A second PO billed 5,250.01 (L = 250.00): routed to the initiator, who approves; then paid.
    po2 = await portal.create_po(
        buyer, supplier_id, [{"description": "Widgets", "quantity": "500", "unit_price": "10.00"}]
    )
    await portal.submit_po(buyer, po2["id"])
    po2_line = po2["lines"][0]["id"]
    lines = [
        {"purchase_order_line_id": po2_line, "description": "Widgets", "quantity": "500", "unit_price": "10.50"},
        {"purchase_order_line_id": None, "description": "Rounding", "quantity": "1", "unit_price": "0.01"},
    ]
    over = await portal.create_invoice(
        supplier, {"purchase_order_id": po2["id"], "number": "INV-2", "issue_date": "2026-11-23", "lines": lines}
    )
    assert over["net_total"] == "5250.01"
    assert (await api.post(f"/invoices/{over['id']}/submit", headers=supplier)).status_code == 202
    pending = await portal.invoice_in(buyer, over["id"], "pending")
    assert set(pending["matching"]["reasons"]) == {"over_tolerance", "new_items"}
    assert pending["approver_id"] == po2["initiator_id"]
    [line_report] = [row for row in pending["matching"]["lines"] if row["purchase_order_line_id"] == po2_line]
    assert line_report["price_changed"] is True
    await portal.email(to=ADMIN_EMAIL, subject="approval")
    # Not payable before approval, and the supplier cannot approve its own invoice.
    unpaid = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "1.00"}, headers=buyer)
    assert unpaid.status_code == 409 and "approv" in unpaid.json()["detail"]
    assert (await api.post(f"/invoices/{over['id']}/approve", headers=supplier)).status_code == 403
    assert (await api.post(f"/invoices/{over['id']}/approve", headers=buyer)).status_code == 200

    first = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "5000.00"}, headers=buyer)
    assert first.status_code in (200, 201), first.text
    assert first.json()["status"] == "partly_paid"
    too_much = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "250.02"}, headers=buyer)
    assert too_much.status_code in (409, 422)
    rest = await api.post(f"/invoices/{over['id']}/payments", json={"amount": "250.01"}, headers=buyer)
    assert rest.json()["status"] == "paid" and rest.json()["paid_total"] == "5250.01"
    await portal.email(to="sales@acme.example", subject="paid")

    # Another supplier sees neither the PO nor the invoices of the first one.
    _, other = await portal.onboard_supplier(buyer, name="Other Supplies", email="hello@other.example", tolerance="0")
    assert (await api.get(f"/purchase-orders/{po['id']}", headers=other)).status_code == 404
    assert (await api.get(f"/invoices/{invoice['id']}", headers=other)).status_code == 404
    assert (await api.post(f"/invoices/{over['id']}/cancel", headers=other)).status_code == 404
    assert (await api.get("/invoices", headers=other)).json()["items"] == []
    health = await api.get("/health")
    assert health.status_code == 200, health.text
