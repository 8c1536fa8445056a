"""Due dates from the payment terms invoicing learns from events (the supplier's own, else its
buyer's default), and the overdue invoices of a page, on the real servers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from invoicing import migrate as invoicing_migrate
from invoicing.adapters.pages import invoice_document, page_query
from invoicing.entrypoints.schemas import InvoiceOut, LineOut, MatchingOut, PaymentOut
from portal_dev.query_plans import generic_plans
from portal_dev.testing import Servers
from shared.auth import Principal
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import (
    Parties,
    organisation,
    publish,
    purchase_order,
    supplier_snapshot,
    verdict_for,
)


async def submitted(service: Service, parties: Parties, number: str, issue_date: date | None) -> dict[str, Any]:
    po = purchase_order(parties)
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": number}
    if issue_date is not None:
        body["issue_date"] = issue_date.isoformat()
    created = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)
    assert created.status_code == 201, created.text
    answer = await service.client.post(f"/api/v1/invoices/{created.json()['id']}/submit", headers=parties.supplier)
    assert answer.status_code == 202, answer.text
    return answer.json()


async def test_the_due_date_follows_the_suppliers_terms_or_else_the_organisations_default(
    service: Service, parties: Parties
) -> None:
    today = datetime.now(UTC).date()
    await service.known_organisation(organisation(parties, 1).model_copy(update={"default_payment_terms_days": 45}))
    on_default = await submitted(service, parties, "INV-1", date(2028, 1, 31))
    assert on_default["due_date"] == "2028-03-16" and on_default["overdue"] is False

    await service.known_supplier(supplier_snapshot(parties, "Acme").model_copy(update={"payment_terms_days": 10}))
    own_terms = await submitted(service, parties, "INV-2", None)
    assert own_terms["due_date"] == (today + timedelta(days=10)).isoformat()


async def test_an_approved_invoice_past_its_due_date_is_overdue_and_the_list_filters_by_it(
    service: Service, parties: Parties
) -> None:
    await service.known_supplier(supplier_snapshot(parties, "Acme").model_copy(update={"payment_terms_days": 10}))
    today = datetime.now(UTC).date()
    late = await submitted(service, parties, "LATE", today - timedelta(days=11))
    due_today = await submitted(service, parties, "DUE-TODAY", today - timedelta(days=10))
    held = await submitted(service, parties, "HELD", today - timedelta(days=30))
    for invoice in (late, due_today):
        await publish(service.producer, verdict_for(invoice, "auto_approved"))
    await publish(service.producer, verdict_for(held, "needs_approval"))
    approved = await service.invoice_in(late["id"], parties.supplier, "approved")
    assert approved["overdue"] is True
    assert (await service.invoice_in(due_today["id"], parties.supplier, "approved"))["overdue"] is False
    assert (await service.invoice_in(held["id"], parties.supplier, "pending"))["overdue"] is False

    for side in (parties.supplier, parties.admin):
        overdue = await service.client.get("/api/v1/invoices", params={"overdue": "true"}, headers=side)
        assert [(i["number"], i["overdue"]) for i in overdue.json()["items"]] == [("LATE", True)]
        others = await service.client.get("/api/v1/invoices", params={"overdue": "false"}, headers=side)
        assert sorted(i["number"] for i in others.json()["items"]) == ["DUE-TODAY", "HELD"]
        assert all(i["overdue"] is False for i in others.json()["items"])


async def test_the_overdue_invoices_are_found_through_the_index_of_those_awaiting_payment(
    servers: Servers, service_env_factory
) -> None:  # type: ignore[no-untyped-def]
    url = await servers.migrated_database(
        "invoicing", invoicing_migrate.main, lambda url: service_env_factory("INVOICING", url, "127.0.0.1:9")
    )
    document = invoice_document(InvoiceOut, LineOut, PaymentOut, MatchingOut)
    buyer = Principal(user_id=uuid4(), role="buyer_user", tenant_id=uuid4())
    supplier = Principal(user_id=uuid4(), role="supplier", supplier_ids=frozenset({uuid4()}))

    async def list_overdue(session: AsyncSession) -> None:
        for caller in (buyer, supplier):
            query = page_query(
                document,
                scope=caller,
                status=None,
                purchase_order_id=None,
                overdue=True,
                today=date.today(),
                limit=50,
                after=None,
            )
            await session.execute(query.statement, query.values)

    plans = await generic_plans(url, list_overdue)
    assert len(plans) == 2
    assert "ix_invoices_tenant_awaiting_payment" in plans[0], plans[0]
    assert "ix_invoices_supplier_awaiting_payment" in plans[1], plans[1]
