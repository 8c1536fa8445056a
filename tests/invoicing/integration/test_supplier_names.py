"""Every invoice answer names its supplier as the suppliers directory knows it (null until it
does), alone, on pages and from every command, and follows a rename."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from invoicing.service.unit_of_work import UnitOfWork
from portal_dev.testing import all_pages
from shared.contracts.suppliers import SupplierUpdated
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, publish, purchase_order, supplier_snapshot, verdict_for


async def names_shown(service: Service, parties: Parties, invoice_id: str) -> list[str | None]:
    """The supplier's name on the invoice asked alone and on a page, as the supplier and the buyer see it."""
    shown = []
    for headers in (parties.supplier, parties.admin):
        alone = await service.client.get(f"/api/v1/invoices/{invoice_id}", headers=headers)
        assert alone.status_code == 200, alone.text
        [listed] = [
            i for i in await all_pages(service.client, "/api/v1/invoices?limit=2", headers) if i["id"] == invoice_id
        ]
        assert listed == alone.json()
        shown += [alone.json()["supplier_name"], listed["supplier_name"]]
    return shown


async def draft(service: Service, parties: Parties, number: str) -> dict[str, Any]:
    po = purchase_order(parties, ("10", "100.00"))
    await service.known_purchase_order(po)
    body = {"purchase_order_id": str(po.purchase_order_id), "number": number}
    created = await service.client.post("/api/v1/invoices", json=body, headers=parties.supplier)
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_an_invoice_names_its_supplier_once_the_directory_knows_it_and_follows_a_rename(
    service: Service, parties: Parties
) -> None:
    created = await draft(service, parties, "N-1")
    # The PO snapshot carried a name ("Acme Tools"), but only the directory's is shown.
    assert created["supplier_name"] is None
    assert await names_shown(service, parties, created["id"]) == [None] * 4

    await service.known_supplier(supplier_snapshot(parties, "Acme Industrial GmbH"))
    assert await names_shown(service, parties, created["id"]) == ["Acme Industrial GmbH"] * 4

    await service.known_supplier(supplier_snapshot(parties, "Acme Renamed", revision=2, event=SupplierUpdated))
    assert await names_shown(service, parties, created["id"]) == ["Acme Renamed"] * 4


async def test_each_supplier_on_a_buyers_page_is_named_by_its_own_directory_entry(
    service: Service, parties: Parties
) -> None:
    await service.known_supplier(supplier_snapshot(parties, "Acme Tools Ltd"))
    ours = await draft(service, parties, "N-2")
    # Another supplier of the same buyer that the directory does not know yet.
    other = Parties(parties.tokens, parties.tenant_id, uuid.uuid4(), parties.initiator_id)
    theirs = await draft(service, other, "N-2")

    listed = await all_pages(service.client, "/api/v1/invoices?limit=1", parties.admin)
    assert {item["id"]: item["supplier_name"] for item in listed} == {ours["id"]: "Acme Tools Ltd", theirs["id"]: None}


async def test_every_command_answers_with_the_suppliers_name(service: Service, parties: Parties) -> None:
    await service.known_supplier(supplier_snapshot(parties, "Acme Tools Ltd"))
    created = await draft(service, parties, "N-3")
    url = f"/api/v1/invoices/{created['id']}"
    answers = [created]

    async def answered(response: Any, code: int = 200) -> dict[str, Any]:
        assert response.status_code == code, response.text
        answers.append(response.json())
        return response.json()  # type: ignore[no-any-return]

    await answered(await service.client.patch(url, json={"issue_date": "2026-03-01"}, headers=parties.supplier))
    submitted = await answered(await service.client.post(url + "/submit", headers=parties.supplier), 202)
    await publish(service.producer, verdict_for(submitted, "needs_approval"))
    await service.invoice_in(created["id"], parties.admin, "pending")
    await answered(await service.client.post(url + "/reject", json={"reason": "why"}, headers=parties.initiator))
    resubmitted = await answered(await service.client.post(url + "/submit", headers=parties.supplier), 202)
    await publish(service.producer, verdict_for(resubmitted, "needs_approval"))
    await service.invoice_in(created["id"], parties.admin, "pending")
    await answered(await service.client.post(url + "/approve", headers=parties.initiator))
    await answered(await service.client.post(url + "/payments", json={"amount": "10"}, headers=parties.admin), 201)

    canceled = await draft(service, parties, "N-4")
    answers.append(canceled)
    cancel = f"/api/v1/invoices/{canceled['id']}/cancel"
    await answered(await service.client.post(cancel, headers=parties.supplier))

    assert [a["status"] for a in answers] == [
        "draft",
        "draft",
        "matching",
        "rejected",
        "matching",
        "approved",
        "partly_paid",
        "draft",
        "canceled",
    ]
    assert {a["supplier_name"] for a in answers} == {"Acme Tools Ltd"}
    # Each command answers with the fields of an invoice asked alone, in its order.
    alone = (await service.client.get(url, headers=parties.admin)).json()
    assert all(list(answer) == list(alone) for answer in answers)


async def test_a_command_holding_an_invoice_leaves_its_supplier_free_to_be_renamed(
    service: Service, parties: Parties
) -> None:
    await service.known_supplier(supplier_snapshot(parties, "Acme Tools Ltd"))
    created = await draft(service, parties, "N-5")

    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        held = await uow.invoices.find(uuid.UUID(created["id"]), for_update=True)
        assert held is not None and held.supplier_name == "Acme Tools Ltd"
        async with service.runtime.engine.connect() as other:
            await other.execute(text("SET lock_timeout = '2s'"))
            locked = text("SELECT name FROM suppliers WHERE id = :id FOR UPDATE")
            assert (await other.execute(locked, {"id": parties.supplier_id})).scalar() == "Acme Tools Ltd"
            await other.rollback()
        await uow.rollback()
