"""A supplier's day, end to end through the gateway: profile and terms, the new PO email, the
comment thread, attachments, the acknowledgement, changes by the buyer, exports, an invoice with
its verdict and payment, an RFP answered and awarded, and the organisation-wide portal switch."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import httpx
from openpyxl import load_workbook

from portal_dev.testing import poll_until
from tests.e2e.conftest import ADMIN_EMAIL, SUPPLIER_PASSWORD, Portal

SUPPLIER_EMAIL = "orders@bolt.example"


async def summary(api: httpx.AsyncClient, who: dict[str, str]) -> dict:
    answer = await api.get("/portal/summary", headers=who)
    assert answer.status_code == 200, answer.text
    result: dict = answer.json()
    return result


async def test_a_suppliers_day_from_po_email_to_payment(api: httpx.AsyncClient, portal: Portal) -> None:
    buyer = await portal.admin()
    field = {"key": "vat_id", "label": "VAT ID", "type": "text", "required": False, "shown_in_portal": True}
    assert (await api.post("/supplier-custom-fields", json=field, headers=buyer)).status_code in (201, 409)
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name="Bolt & Co", email=SUPPLIER_EMAIL, custom_fields={"vat_id": "DE123"}
    )
    # Set now, used at the first invoice: invoicing learns settings from the gateway's events, and
    # a submit that came first would be accepted (the poll below waits for the refusal anyway).
    await api.patch("/settings", json={"invoice_issue_date_required": True}, headers=buyer)

    # The supplier keeps its terms and contact details in its own profile.
    profile = await api.patch(
        f"/portal/profiles/{supplier_id}",
        json={"minimum_order_amount": "500.00", "lead_time_days": 30, "phone": "+49 30 1234"},
        headers=supplier,
    )
    assert profile.status_code == 200, profile.text
    assert profile.json()["custom_fields"] == {"vat_id": "DE123"}
    assert (
        await api.patch(f"/portal/profiles/{supplier_id}", json={"currency": "USD"}, headers=supplier)
    ).status_code == 422
    record = (await api.get(f"/suppliers/{supplier_id}", headers=buyer)).json()
    assert record["phone"] == "+49 30 1234"

    # A PO below the minimum and inside the lead time is sent with both flags, not refused.
    soon = (date.today() + timedelta(days=10)).isoformat()

    async def terms_known() -> dict | None:
        po = await portal.create_po(
            buyer,
            supplier_id,
            [{"description": "Hex bolts", "quantity": "20", "unit_price": "15.00"}],
            delivery_date=soon,
        )
        sent = await portal.submit_po(buyer, po["id"])
        codes = {w["code"] for w in sent.get("warnings", [])}
        if codes == {"below_minimum_order_amount", "inside_lead_time"}:
            return sent
        # Orders learns the new terms from the supplier's event a moment later; an order sent
        # before that has no warnings. It is canceled, so that the supplier has one to process.
        canceled = await api.post(f"/purchase-orders/{po['id']}/cancel", headers=buyer)
        assert canceled.status_code == 200, canceled.text
        return None

    po = await poll_until(terms_known, timeout_s=30, what="orders to know the supplier's terms")
    [po_mail] = await portal.email(to=SUPPLIER_EMAIL, subject=po["number"])
    assert "minimum order amount" in po_mail.get_body(preferencelist=("plain",)).get_content()
    seen = (await api.get(f"/purchase-orders/{po['id']}", headers=supplier)).json()
    assert {w["code"] for w in seen["warnings"]} == {"below_minimum_order_amount", "inside_lead_time"}
    assert (await summary(api, supplier))["unprocessed_orders"] == 1

    # The conversation: each comment emails the other party, its links removed.
    question = "Can we deliver in two batches? See http://evil.example/x"
    posted = await api.post(f"/purchase-orders/{po['id']}/comments", json={"body": question}, headers=supplier)
    assert posted.status_code == 201, posted.text
    [to_buyer] = await portal.email(to=ADMIN_EMAIL, subject=f"comment on purchase order {po['number']}")
    text = to_buyer.get_body(preferencelist=("plain",)).get_content()
    assert "two batches" in text and "evil.example" not in text
    await api.post(f"/purchase-orders/{po['id']}/comments", json={"body": "Yes, fine."}, headers=buyer)
    await portal.email(to=SUPPLIER_EMAIL, subject=f"comment on purchase order {po['number']}")
    thread = (await api.get(f"/purchase-orders/{po['id']}/comments", headers=buyer)).json()
    assert [c["body"] for c in thread["items"]] == [question, "Yes, fine."]

    # An attachment goes both ways with its name and type.
    pdf = b"%PDF-1.4 delivery plan"
    uploaded = await api.post(
        f"/purchase-orders/{po['id']}/attachments",
        files={"file": ("../../etc/plan.pdf", pdf, "application/pdf")},
        headers=supplier,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["filename"] == "plan.pdf"
    download = await api.get(f"/purchase-orders/{po['id']}/attachments/{uploaded.json()['id']}", headers=buyer)
    assert download.content == pdf and download.headers["content-type"] == "application/pdf"
    refused = await api.post(
        f"/purchase-orders/{po['id']}/attachments",
        files={"file": ("x.exe", b"MZ...", "application/x-msdownload")},
        headers=supplier,
    )
    assert refused.status_code == 422

    # Acknowledged: no longer unprocessed.
    assert (await api.post(f"/purchase-orders/{po['id']}/acknowledge", headers=supplier)).status_code == 200
    assert (await summary(api, supplier))["unprocessed_orders"] == 0

    # The buyer moves the delivery date: the supplier is told what changed.
    later = (date.today() + timedelta(days=45)).isoformat()
    changed = await api.patch(f"/purchase-orders/{po['id']}", json={"delivery_date": later}, headers=buyer)
    assert changed.status_code == 200, changed.text
    [change_mail] = await portal.email(to=SUPPLIER_EMAIL, subject="changed")
    assert later in change_mail.get_body(preferencelist=("plain",)).get_content()

    # Exports.
    xlsx = await api.get(f"/purchase-orders/{po['id']}/export?format=xlsx", headers=supplier)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any(po["number"] in str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert (await api.get(f"/purchase-orders/{po['id']}/export?format=pdf", headers=supplier)).content.startswith(
        b"%PDF"
    )

    # The buyer requires an issue date (set at the start): an invoice without one is refused at submission.
    invoice = await portal.create_invoice(supplier, {"purchase_order_id": po["id"], "number": "B-1"})

    async def refused_without_issue_date() -> bool:
        answer = await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)
        return answer.status_code == 422 and "issue_date" in answer.text

    await poll_until(refused_without_issue_date, timeout_s=30, what="the issue-date setting to reach invoicing")
    await api.patch(f"/invoices/{invoice['id']}", json={"issue_date": date.today().isoformat()}, headers=supplier)
    assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    approved = await portal.invoice_in(supplier, invoice["id"], "approved")
    assert approved["matching"]["outcome"] == "auto_approved"
    await api.patch("/settings", json={"invoice_issue_date_required": False}, headers=buyer)

    comment = await api.post(f"/invoices/{invoice['id']}/comments", json={"body": "Paid next week?"}, headers=supplier)
    assert comment.status_code == 201
    await portal.email(to=ADMIN_EMAIL, subject="B-1")
    invoice_pdf = await api.get(f"/invoices/{invoice['id']}/export?format=pdf", headers=buyer)
    assert invoice_pdf.content.startswith(b"%PDF")
    paid = await api.post(f"/invoices/{invoice['id']}/payments", json={"amount": approved["net_total"]}, headers=buyer)
    assert paid.json()["status"] == "paid"
    await portal.email(to=SUPPLIER_EMAIL, subject="paid")

    # Fully invoiced: off the supplier's open list, and no further invoice.
    async def off_the_open_list() -> bool:
        listed = (await api.get("/purchase-orders?open=true", headers=supplier)).json()["items"]
        return all(item["id"] != po["id"] for item in listed)

    await poll_until(off_the_open_list, timeout_s=30, what="the fully invoiced PO to leave the open list")
    again = await api.post("/invoices", json={"purchase_order_id": po["id"], "number": "B-2"}, headers=supplier)
    assert again.status_code == 409
    assert (await summary(api, supplier))["invoices_by_status"]["paid"] == 1


async def test_an_rfp_answered_compared_and_awarded(api: httpx.AsyncClient, portal: Portal) -> None:
    buyer = await portal.admin()
    first_id, first = await portal.onboard_supplier(buyer, name="Quick Parts", email="bids@quick.example")
    second_id, second = await portal.onboard_supplier(buyer, name="Slow Parts", email="bids@slow.example")
    due = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    body = {
        "title": "Fasteners 2027",
        "due_date": due,
        "currency": "EUR",
        "lines": [
            {"description": "M8 bolts", "quantity": "1000", "unit": "pcs"},
            {"description": "Washers", "quantity": "500"},
        ],
        "supplier_ids": [first_id, second_id],
    }
    rfp = await portal.until_created("/rfps", body, buyer, retry_on=422)
    assert (await api.post(f"/rfps/{rfp['id']}/publish", headers=buyer)).status_code == 200
    await portal.email(to="bids@quick.example", subject=rfp["number"])
    await portal.email(to="bids@slow.example", subject=rfp["number"])
    assert (await summary(api, first))["open_rfps"] == 1

    bolts, washers = (line["id"] for line in rfp["lines"])
    offer = {"lines": [{"rfp_line_id": bolts, "unit_price": "0.12"}, {"rfp_line_id": washers, "unit_price": "0.03"}]}
    assert (await api.put(f"/rfps/{rfp['id']}/proposal", json=offer, headers=first)).status_code == 200
    attached = await api.post(
        f"/rfps/{rfp['id']}/proposal/attachments",
        files={"file": ("specs.csv", b"a,b\n1,2\n", "text/csv")},
        headers=first,
    )
    assert attached.status_code == 201, attached.text
    submitted = await api.post(f"/rfps/{rfp['id']}/proposal/submit", headers=first)
    assert submitted.json()["status"] == "submitted"
    decline = {"lines": [{"rfp_line_id": bolts, "unit_price": None}, {"rfp_line_id": washers, "unit_price": None}]}
    await api.put(f"/rfps/{rfp['id']}/proposal", json=decline, headers=second)
    assert (await api.post(f"/rfps/{rfp['id']}/proposal/submit", headers=second)).json()["status"] == "rejected"

    compared = (await api.get(f"/rfps/{rfp['id']}/proposals", headers=buyer)).json()
    [bolt_row] = [row for row in compared["lines"] if row["rfp_line_id"] == bolts]
    assert {o["supplier_id"]: o["unit_price"] for o in bolt_row["offers"]} == {first_id: "0.12", second_id: None}
    assert (await api.get(f"/rfps/{rfp['id']}/proposals", headers=first)).status_code in (403, 404)

    proposal_id = submitted.json()["id"]
    awarded = await api.post(f"/rfps/{rfp['id']}/award", json={"proposal_id": proposal_id}, headers=buyer)
    assert awarded.status_code == 200, awarded.text
    draft = (await api.get(f"/purchase-orders/{awarded.json()['purchase_order_id']}", headers=buyer)).json()
    assert draft["status"] == "draft" and draft["supplier_id"] == first_id
    assert draft["source_rfp_id"] == rfp["id"]
    assert draft["net_total"] == "135.00"
    await portal.email(to="bids@quick.example", subject="won")
    await portal.email(to="bids@slow.example", subject="awarded to another supplier")


async def test_switching_the_portal_off_lets_the_buyer_invoice_for_the_supplier(
    api: httpx.AsyncClient, portal: Portal
) -> None:
    buyer = await portal.admin()
    supplier_id, supplier = await portal.onboard_supplier(buyer, name="Offline Ltd", email="ap@offline.example")
    po = await portal.create_po(buyer, supplier_id, [{"description": "Cable", "quantity": "10", "unit_price": "7.00"}])
    await portal.submit_po(buyer, po["id"])
    draft = await portal.create_invoice(
        supplier, {"purchase_order_id": po["id"], "number": "OFF-1", "issue_date": "2026-11-23"}
    )
    assert (
        await api.post("/invoices", json={"purchase_order_id": po["id"], "number": "X"}, headers=buyer)
    ).status_code == 403

    await api.patch("/settings", json={"supplier_portal_enabled": False}, headers=buyer)
    offline = await portal.sign_in("ap@offline.example", SUPPLIER_PASSWORD)
    # The record stays in the supplier's token, restricted to invoicing what is still owed.
    assert (await api.get("/me", headers=offline)).json()["restricted_supplier_ids"] == [supplier_id]

    async def drafts_gone() -> bool:
        return (await api.get(f"/invoices/{draft['id']}", headers=buyer)).status_code == 404

    await poll_until(drafts_gone, timeout_s=30, what="the supplier's draft to leave the portal")
    on_behalf = await portal.create_invoice(
        buyer, {"purchase_order_id": po["id"], "number": "OFF-2", "issue_date": "2026-11-23"}
    )
    assert on_behalf["net_total"] == "70.00"
    assert (await api.post(f"/invoices/{on_behalf['id']}/submit", headers=buyer)).status_code == 202
    await portal.invoice_in(buyer, on_behalf["id"], "approved")

    await api.patch("/settings", json={"supplier_portal_enabled": True}, headers=buyer)
    back = await portal.sign_in("ap@offline.example", SUPPLIER_PASSWORD)
    back_me = (await api.get("/me", headers=back)).json()
    assert back_me["supplier_ids"] == [supplier_id] and back_me["restricted_supplier_ids"] == []
    assert (await api.get(f"/invoices/{on_behalf['id']}", headers=back)).json()["status"] == "approved"
    assert (await api.get(f"/invoices/{draft['id']}", headers=supplier)).status_code == 404
