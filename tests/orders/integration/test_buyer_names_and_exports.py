"""The buyer's name from the gateway's organisation events, on answers, events and documents."""

from __future__ import annotations

import io
import json
import uuid

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.orders.integration.announcements import (
    ORGANISATIONS_TOPIC,
    announce_organisation,
    organisation,
    sent_order,
)
from tests.orders.integration.support import OrdersService
from tests.orders.integration.test_poison_messages import wrong_schema

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_buyer_name_is_on_answers_and_events_and_an_older_revision_is_ignored(
    orders: OrdersService,
) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await orders.supplier(tenant)
    unnamed = await orders.create(buyer, supplier_id)
    assert unnamed["buyer_name"] is None

    await announce_organisation(orders, tenant, "Buyer Corp", revision=2)
    await announce_organisation(orders, tenant, "Buyer Corp (old)", revision=1)
    order = await sent_order(orders, buyer, supplier_id)
    assert order["buyer_name"] == "Buyer Corp"
    seen = await orders.get(orders.tokens.supplier(supplier_id), order["id"])
    assert seen.json()["buyer_name"] == "Buyer Corp"
    assert (await orders.get(buyer, unnamed["id"])).json()["buyer_name"] == "Buyer Corp"
    [event] = await orders.events(1)
    assert event["data"]["buyer_name"] == "Buyer Corp"


async def test_the_same_organisation_event_delivered_twice_is_handled_once(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    payload = organisation(tenant, "Twice Ltd", revision=1)
    envelope = await orders.publish_event(payload, tenant)
    await orders.publish_envelope(envelope, payload)
    marker = await orders.publish_event(organisation(tenant, "Once Ltd", revision=2), tenant)
    await orders.handled("orders.organisations", marker.id)
    count = await orders.scalar(
        "SELECT count(*) FROM inbox WHERE consumer = 'orders.organisations' AND event_id = :e", e=envelope.id
    )
    assert count == 1
    assert await orders.scalar("SELECT name FROM organisations WHERE tenant_id = :t", t=tenant) == "Once Ltd"


async def test_poison_organisation_events_are_dead_lettered_and_the_next_is_processed(orders: OrdersService) -> None:
    await orders.publish(ORGANISATIONS_TOPIC, b"not json")
    await orders.publish(ORGANISATIONS_TOPIC, wrong_schema("OrganisationSettingsChanged"))
    tenant = uuid.uuid4()
    await announce_organisation(orders, tenant, "After The Poison")
    assert await orders.scalar("SELECT name FROM organisations WHERE tenant_id = :t", t=tenant) == "After The Poison"

    dead = await orders.read(ORGANISATIONS_TOPIC + ".dlq", 2)
    assert dead[0].value == b"not json"
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq.error"]
        assert headers["dlq.topic"] == ORGANISATIONS_TOPIC.encode()


async def test_the_pdf_shows_the_buyer_and_the_delivery_date(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    await announce_organisation(orders, tenant, "Buyer Corp")
    buyer = orders.tokens.buyer(tenant)
    order = await sent_order(orders, buyer, await orders.supplier(tenant), delivery_date="2027-01-15")
    response = await orders.client.get(
        f"/api/v1/purchase-orders/{order['id']}/export?format=pdf", headers=orders.tokens.headers(buyer)
    )
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Buyer Corp" in text
    assert "2027-01-15" in text


async def test_the_xlsx_export_is_a_workbook_with_the_header_lines_and_total(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    await announce_organisation(orders, tenant, "Buyer Corp")
    buyer = orders.tokens.buyer(tenant)
    supplier_id = await orders.supplier(tenant, name="Acme Tools")
    order = await sent_order(orders, buyer, supplier_id)

    for token in (buyer, orders.tokens.supplier(supplier_id)):
        response = await orders.client.get(
            f"/api/v1/purchase-orders/{order['id']}/export?format=xlsx", headers=orders.tokens.headers(token)
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == XLSX
        assert response.headers["content-disposition"] == f'attachment; filename="{order["number"]}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = {row[0]: row[1] for row in rows[:6]}
    assert (header["Purchase order"], header["Buyer"], header["Supplier"]) == (
        order["number"],
        "Buyer Corp",
        "Acme Tools",
    )
    assert (header["Currency"], header["Status"]) == ("EUR", "sent")
    assert header["Delivery date"].date().isoformat() == "2026-12-01"
    start = rows.index(["#", "SKU", "Description", "Quantity", "Unit", "Unit price", "Net", "Tax rate (%)", "Tax"])
    assert rows[start + 1] == [1, "B-8", "Bolts M8", 10, "pcs", 5, 50, 0, 0]
    assert rows[start + 3][5:7] == ["Net total (EUR)", 51.68]

    for unsupported in ("docx", "PDF", ""):
        refused = await orders.client.get(
            f"/api/v1/purchase-orders/{order['id']}/export?format={unsupported}", headers=orders.tokens.headers(buyer)
        )
        assert refused.status_code == 422
        assert json.loads(refused.content)["errors"][0]["field"] == "format"
    hidden = await orders.client.get(
        f"/api/v1/purchase-orders/{order['id']}/export?format=xlsx",
        headers=orders.tokens.headers(orders.tokens.buyer(uuid.uuid4())),
    )
    assert hidden.status_code == 404
