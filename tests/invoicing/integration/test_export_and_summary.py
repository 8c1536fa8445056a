"""The invoice as a PDF with the parties' names from the read models, and the count of the
caller's invoices by status."""

from __future__ import annotations

import uuid
from io import BytesIO

from pypdf import PdfReader

from portal_dev.testing import poll_until
from shared.contracts.suppliers import SupplierUpdated
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, organisation, publish, purchase_order, supplier_snapshot

STATUSES = ["draft", "matching", "pending", "approved", "rejected", "canceled", "partly_paid", "paid"]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


async def test_the_invoice_exports_as_a_pdf_named_by_its_number_with_both_parties_and_the_delivery_date(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("10", "100.00"), ("5", "20.00"))
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": "INV-2026/7", "issue_date": "2026-03-01"}
    invoice = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    url = f"/api/v1/invoices/{invoice['id']}/export?format=pdf"

    # Before the directories know the parties, the names the PO carried are printed.
    early = await service.client.get(url, headers=parties.supplier)
    assert early.status_code == 200, early.text
    assert "Acme Tools" in pdf_text(early.content)

    await service.known_supplier(supplier_snapshot(parties, "Acme Industrial GmbH"))
    await service.known_organisation(organisation(parties, 1, name="Globex Buying"))
    exported = await service.client.get(url, headers=parties.admin)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/pdf"
    assert 'filename="INV-2026-7.pdf"' in exported.headers["content-disposition"]
    text = pdf_text(exported.content)
    for expected in (
        "Invoice INV-2026/7",
        "Acme Industrial GmbH",
        "Globex Buying",
        po.number,
        "2026-03-01",
        "Delivery date 2026-04-15",
        "Status draft",
        "EUR",
        "item 1",
        "item 2",
        "1,000.00",
        "100.00",
        "1,100.00",
    ):
        assert expected in text, expected

    renamed = supplier_snapshot(parties, "Acme Renamed", revision=2, event=SupplierUpdated)
    await service.known_supplier(renamed)
    suppliers = next(c for c in service.runtime.consumers if c.topic == "suppliers.supplier.v1")
    handled = suppliers.handled
    await publish(service.producer, supplier_snapshot(parties, "Acme Stale", revision=1, event=SupplierUpdated))
    await poll_until(lambda: suppliers.handled > handled, what="the older supplier snapshot handled")
    assert "Acme Renamed" in pdf_text((await service.client.get(url, headers=parties.admin)).content)


async def test_other_export_formats_are_refused_and_strangers_get_404(
    service: Service, parties: Parties, tokens
) -> None:  # type: ignore[no-untyped-def]
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": "INV-1"}
    invoice = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    base = f"/api/v1/invoices/{invoice['id']}/export"
    for export_format in ("xlsx", "csv", ""):
        refused = await service.client.get(f"{base}?format={export_format}", headers=parties.supplier)
        assert refused.status_code == 422, export_format
        assert refused.json()["errors"][0]["field"] == "format"
    assert (await service.client.get(base, headers=parties.supplier)).status_code == 200  # pdf by default
    stranger = tokens.headers(tokens.supplier(uuid.uuid4()))
    assert (await service.client.get(f"{base}?format=pdf", headers=stranger)).status_code == 404


async def test_the_summary_counts_the_callers_invoices_by_status_with_every_status_present(
    service: Service, parties: Parties, tokens
) -> None:  # type: ignore[no-untyped-def]
    po = purchase_order(parties, ("100", "1.00"))
    await service.known_purchase_order(po)
    line = str(po.lines[0].line_id)

    async def create(number: str, headers: dict[str, str], purchase_order_id: uuid.UUID) -> str:
        lines = [{"purchase_order_line_id": line, "quantity": "1", "unit_price": "1.00"}]
        body = {"purchase_order_id": str(purchase_order_id), "number": number, "lines": lines}
        created = await service.client.post("/api/v1/invoices", json=body, headers=headers)
        assert created.status_code == 201, created.text
        return created.json()["id"]

    await create("S-1", parties.supplier, po.purchase_order_id)
    await create("S-2", parties.supplier, po.purchase_order_id)
    submitted = await create("S-3", parties.supplier, po.purchase_order_id)
    await service.client.post(f"/api/v1/invoices/{submitted}/submit", headers=parties.supplier)
    canceled = await create("S-4", parties.supplier, po.purchase_order_id)
    await service.client.post(f"/api/v1/invoices/{canceled}/cancel", headers=parties.supplier)
    # Another supplier of the same buyer: the buyer counts its invoice, our supplier does not.
    other = Parties(parties.tokens, parties.tenant_id, uuid.uuid4(), parties.initiator_id)
    other_po = purchase_order(other, ("100", "1.00"), line_ids=[po.lines[0].line_id])
    await service.known_purchase_order(other_po)
    await create("O-1", other.supplier, other_po.purchase_order_id)

    expected_supplier = dict.fromkeys(STATUSES, 0) | {"draft": 2, "matching": 1, "canceled": 1}
    summary = await service.client.get("/api/v1/invoices/summary", headers=parties.supplier)
    assert summary.status_code == 200, summary.text
    assert summary.json() == {"invoices_by_status": expected_supplier, "waiting_for_me": 0}
    by_buyer = (await service.client.get("/api/v1/invoices/summary", headers=parties.colleague)).json()
    assert by_buyer["invoices_by_status"] == expected_supplier | {"draft": 3}
    stranger = tokens.headers(tokens.buyer(uuid.uuid4()))
    nothing = (await service.client.get("/api/v1/invoices/summary", headers=stranger)).json()
    assert nothing["invoices_by_status"] == dict.fromkeys(STATUSES, 0)
    assert (await service.client.get("/api/v1/invoices/summary")).status_code == 401


async def test_the_exported_invoice_prints_the_legal_details_both_parties_published(
    service: Service, parties: Parties
) -> None:
    await service.known_supplier(
        supplier_snapshot(parties, "Acme").model_copy(
            update={"legal_name": "Acme Tools GmbH", "address": "Main St 1\n10115 Berlin", "tax_id": "DE999"}
        )
    )
    await service.known_organisation(
        organisation(parties, 1).model_copy(
            update={"legal_name": "Globex Buying Ltd", "address": "1 Mill Lane\nLeeds", "tax_id": "GB123"}
        )
    )
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": "INV-9", "issue_date": "2028-01-31"}
    invoice = (await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)).json()
    await service.client.post(f"/api/v1/invoices/{invoice['id']}/submit", headers=parties.supplier)

    exported = await service.client.get(f"/api/v1/invoices/{invoice['id']}/export", headers=parties.admin)
    lines = pdf_text(exported.content).splitlines()
    for expected in (
        "Supplier Acme Tools GmbH",
        "Address Main St 1",
        "10115 Berlin",
        "Tax ID DE999",
        "Buyer Globex Buying Ltd",
        "Tax ID GB123",
        "Due date 2028-03-01",
        "Payment terms 30 days net",
    ):
        assert expected in lines, expected
