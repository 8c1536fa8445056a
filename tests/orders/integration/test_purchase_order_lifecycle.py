"""Creating, submitting and exporting purchase orders; the outbox publishes their whole state."""

from __future__ import annotations

import io
import uuid

from pypdf import PdfReader

from portal_dev.testing import poll_until
from tests.orders.integration.support import OrdersService


async def test_submitted_order_is_published_with_its_whole_state_through_the_outbox(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    supplier_id = await orders.supplier(tenant, name="Acme Tools")

    order = await orders.create(buyer, supplier_id)
    assert (order["status"], order["number"], order["initiator_id"]) == ("draft", "PO-000001", str(initiator))
    assert order["net_total"] == "51.68"  # 10 × 5.00 + 5 × 0.335 = 50.00 + 1.675 → 1.68
    assert [(x["line_no"], x["net_amount"]) for x in order["lines"]] == [(1, "50.00"), (2, "1.68")]
    assert all(x["id"] for x in order["lines"])

    submitted = await orders.act(buyer, order["id"], "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "sent"

    # Drafts publish nothing: the first event of the order is its submission.
    [event] = await orders.events(1)
    assert event["type"] == "PurchaseOrderSubmitted"
    assert event["tenant_id"] == str(tenant)
    data = event["data"]
    assert (data["purchase_order_id"], data["number"], data["status"]) == (order["id"], "PO-000001", "sent")
    assert (data["supplier_name"], data["currency"], data["delivery_date"]) == ("Acme Tools", "EUR", "2026-12-01")
    assert data["initiator_id"] == str(initiator)
    assert data["net_total"] == "51.68"
    assert [(x["quantity"], x["invoiced_quantity"], x["remaining_quantity"]) for x in data["lines"]] == [
        ("10", "0", "10"),
        ("5", "0", "5"),
    ]
    assert data["lines"][0]["sku"] == "B-8"

    async def outbox_drained() -> bool:
        return await orders.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    await poll_until(outbox_drained, what="outbox rows marked sent")

    again = await orders.act(buyer, order["id"], "submit")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


async def test_numbers_count_per_tenant(orders: OrdersService) -> None:
    first_tenant, second_tenant = uuid.uuid4(), uuid.uuid4()
    first_supplier = await orders.supplier(first_tenant)
    second_supplier = await orders.supplier(second_tenant)
    first_buyer, second_buyer = orders.tokens.buyer(first_tenant), orders.tokens.buyer(second_tenant)

    numbers = [(await orders.create(first_buyer, first_supplier))["number"] for _ in range(3)]
    assert numbers == ["PO-000001", "PO-000002", "PO-000003"]
    assert (await orders.create(second_buyer, second_supplier))["number"] == "PO-000001"


async def test_a_draft_is_revised_by_its_initiator_or_an_admin_only(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    order = await orders.create(buyer, supplier_id)
    path = f"/api/v1/purchase-orders/{order['id']}"
    change = {
        "delivery_date": "2027-01-15",
        "lines": [{"description": "Washers", "quantity": "3", "unit_price": "2.5"}],
    }

    colleague = orders.tokens.headers(orders.tokens.buyer(tenant, admin=False))
    assert (await orders.client.patch(path, json=change, headers=colleague)).status_code == 403

    revised = await orders.client.patch(path, json=change, headers=orders.tokens.headers(buyer))
    assert revised.status_code == 200, revised.text
    assert (revised.json()["net_total"], revised.json()["delivery_date"]) == ("7.50", "2027-01-15")
    assert [x["description"] for x in revised.json()["lines"]] == ["Washers"]
    assert [x["description"] for x in (await orders.get(buyer, order["id"])).json()["lines"]] == ["Washers"]

    admin = orders.tokens.buyer(tenant)
    patched = await orders.client.patch(
        path, json={"delivery_date": "2027-02-01"}, headers=orders.tokens.headers(admin)
    )
    assert patched.status_code == 200

    assert (await orders.act(buyer, order["id"], "submit")).status_code == 200
    # A sent order still changes (test_changes_after_submit); a canceled one no longer does.
    assert (await orders.act(buyer, order["id"], "cancel")).status_code == 200
    assert (await orders.client.patch(path, json=change, headers=orders.tokens.headers(buyer))).status_code == 409


async def test_a_draft_is_submitted_by_its_initiator_or_an_admin_only_as_it_is_edited(orders: OrdersService) -> None:
    tenant, initiator = uuid.uuid4(), uuid.uuid4()
    supplier_id = await orders.supplier(tenant)
    buyer = orders.tokens.buyer(tenant, admin=False, user_id=initiator)
    colleague = orders.tokens.buyer(tenant, admin=False)
    first, second = await orders.create(buyer, supplier_id), await orders.create(buyer, supplier_id)

    refused = await orders.act(colleague, first["id"], "submit")
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "only the order's initiator or a buyer admin may submit it"
    assert (await orders.get(buyer, first["id"])).json()["status"] == "draft"
    assert await orders.scalar("SELECT count(*) FROM outbox WHERE event_type = 'PurchaseOrderSubmitted'") == 0

    assert (await orders.act(buyer, first["id"], "submit")).json()["status"] == "sent"
    by_admin = await orders.act(orders.tokens.buyer(tenant), second["id"], "submit")
    assert (by_admin.status_code, by_admin.json()["status"]) == (200, "sent")


async def test_pdf_export_carries_the_order_number(orders: OrdersService) -> None:
    tenant = uuid.uuid4()
    buyer = orders.tokens.buyer(tenant)
    order = await orders.create(buyer, await orders.supplier(tenant))
    await orders.act(buyer, order["id"], "submit")

    response = await orders.client.get(
        f"/api/v1/purchase-orders/{order['id']}/export?format=pdf", headers=orders.tokens.headers(buyer)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="PO-000001.pdf"'
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "PO-000001" in text
    assert "Bolts M8" in text

    docx = await orders.client.get(
        f"/api/v1/purchase-orders/{order['id']}/export?format=docx", headers=orders.tokens.headers(buyer)
    )
    assert docx.status_code == 422
    assert docx.headers["content-type"] == "application/problem+json"
    assert "unsupported format" in docx.json()["detail"]

    stranger = orders.tokens.buyer(uuid.uuid4())
    hidden = await orders.client.get(
        f"/api/v1/purchase-orders/{order['id']}/export?format=pdf", headers=orders.tokens.headers(stranger)
    )
    assert hidden.status_code == 404
