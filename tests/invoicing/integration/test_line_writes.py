"""An invoice's lines are rewritten when they change and left alone when a save changes only the
invoice (a submission, a verdict, another field): every row version written is WAL, index
entries and vacuum work, and a submission or a verdict never changes a line."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any
from uuid import UUID

from invoicing.service.unit_of_work import UnitOfWork
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, publish, purchase_order, verdict_for


async def line_versions(service: Service, invoice_id: str) -> list[tuple[str, str, str]]:
    """(line id, quantity, row version) per line: ``xmin`` is the transaction that wrote the row."""
    async with service.runtime.engine.connect() as conn:
        rows = await conn.exec_driver_sql(
            "SELECT id::text, quantity::text, xmin::text FROM invoice_lines WHERE invoice_id = $1 ORDER BY line_no",
            (UUID(invoice_id),),
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def prefilled_invoice(service: Service, parties: Parties, number: str, *lines: tuple[str, str]) -> dict[str, Any]:
    """A draft the supplier creates against a new PO of ``lines``, prefilled with all of them."""
    po = purchase_order(parties, *lines)
    await service.known_purchase_order(po)
    created = await service.client.post(
        "/api/v1/invoices",
        json={"purchase_order_id": str(po.purchase_order_id), "number": number},
        headers=parties.supplier,
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_lines_are_rewritten_only_when_they_change(service: Service, parties: Parties) -> None:
    created = await prefilled_invoice(service, parties, "INV-7", ("10", "100.00"), ("5", "20.00"))
    invoice_id = created["id"]
    written = await line_versions(service, invoice_id)
    assert [quantity for _, quantity, _ in written] == ["10", "5"]

    dated = await service.client.patch(
        f"/api/v1/invoices/{invoice_id}", json={"issue_date": "2026-03-01"}, headers=parties.supplier
    )
    assert dated.status_code == 200, dated.text
    submitted = await service.client.post(f"/api/v1/invoices/{invoice_id}/submit", headers=parties.supplier)
    assert submitted.status_code == 202, submitted.text
    await publish(service.producer, verdict_for(submitted.json(), "needs_approval"))
    await service.invoice_in(invoice_id, parties.admin, "pending")
    assert await line_versions(service, invoice_id) == written

    rejected = await service.client.post(
        f"/api/v1/invoices/{invoice_id}/reject", json={"reason": "one line only"}, headers=parties.admin
    )
    assert rejected.status_code == 200, rejected.text
    first_line = created["lines"][0]
    edited = await service.client.patch(
        f"/api/v1/invoices/{invoice_id}",
        json={
            "lines": [
                {
                    "purchase_order_line_id": first_line["purchase_order_line_id"],
                    "quantity": "4",
                    "unit_price": "100.00",
                }
            ]
        },
        headers=parties.supplier,
    )
    assert edited.status_code == 200, edited.text
    rewritten = await line_versions(service, invoice_id)
    assert [quantity for _, quantity, _ in rewritten] == ["4"]
    assert rewritten[0][2] != written[0][2]


async def test_lines_a_unit_of_work_saved_and_rolled_back_are_saved_again(service: Service, parties: Parties) -> None:
    invoice_id = UUID((await prefilled_invoice(service, parties, "INV-8", ("10", "100.00")))["id"])

    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        invoice = await uow.invoices.find(invoice_id, for_update=True)
        assert invoice is not None
        invoice.lines = [dataclasses.replace(line, quantity=Decimal("3")) for line in invoice.lines]
        await uow.invoices.save(invoice)
        await uow.rollback()
        await uow.invoices.save(invoice)  # the same lines again: the rollback undid the first save
        await uow.commit()

    assert [quantity for _, quantity, _ in await line_versions(service, str(invoice_id))] == ["3"]
