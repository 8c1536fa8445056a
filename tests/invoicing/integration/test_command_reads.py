"""A command on an invoice reads it, its buyer's settings and its supplier's payment terms with
one statement, and still takes the settings' row (FOR SHARE) before the invoice's (FOR UPDATE):
the order of the portal switch-off's consumer, so that the two never deadlock."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from invoicing.adapters.tables import organisations, suppliers
from invoicing.domain.errors import DuplicateInvoiceNumber, IssueDateRequired, NotAllowed
from invoicing.domain.lines import LineDraft
from invoicing.domain.model import Invoice
from invoicing.domain.status import Status
from invoicing.service.commands import create_invoice, submit_invoice
from invoicing.service.handlers import record_verdict
from invoicing.service.unit_of_work import UnitOfWork
from portal_dev.testing import statements_sent
from shared.auth import Principal
from shared.errors import RetryLater
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties, purchase_order, verdict_for
from tests.invoicing.integration.test_invoice_loads import _invoice, _line


async def _stored_organisation(
    service: Service, parties: Parties, *, terms: int, supplier_terms: int | None, portal: bool = True
) -> None:
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.session.execute(
            organisations.insert().values(
                id=parties.tenant_id,
                name="Globex",
                invoice_issue_date_required=True,
                supplier_portal_enabled=portal,
                revision=1,
                default_payment_terms_days=terms,
            )
        )
        await uow.session.execute(
            suppliers.insert().values(
                id=parties.supplier_id,
                tenant_id=parties.tenant_id,
                name="Acme",
                revision=1,
                payment_terms_days=supplier_terms,
            )
        )
        await uow.commit()


@pytest.mark.parametrize(("supplier_terms", "due_in"), [(None, 60), (14, 14)])
async def test_a_submission_reads_its_invoice_settings_and_terms_with_one_select(
    service: Service, parties: Parties, supplier_terms: int | None, due_in: int
) -> None:
    await _stored_organisation(service, parties, terms=60, supplier_terms=supplier_terms)
    undated = _invoice(parties, lines=[_line(1)])
    dated = _invoice(parties, lines=[_line(1)], issue_date=date(2026, 3, 1))
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        for invoice in (undated, dated):
            await uow.invoices.save(invoice, new=True)
        await uow.commit()

    supplier = Principal(user_id=uuid4(), role="supplier", supplier_ids=frozenset({parties.supplier_id}))
    uow = UnitOfWork(service.runtime.session_factory, "invoicing")
    with pytest.raises(IssueDateRequired):  # the buyer's setting, read by the same select
        await submit_invoice(uow, supplier, undated.id)
    with statements_sent(service.runtime.engine) as sent:
        submitted = await submit_invoice(uow, supplier, dated.id)
    assert submitted.status == "matching" and submitted.supplier_name == "Acme"
    assert submitted.due_date == date(2026, 3, 1) + timedelta(days=due_in)
    assert [statement.split()[0] for statement in sent] == [
        "SELECT",  # the invoice, its lines and payments, the settings, the supplier's terms
        "WITH",  # the invoice's upsert
        "INSERT",  # the outbox
    ], sent


async def test_a_command_holds_the_buyers_settings_before_it_waits_for_the_invoice(
    service: Service, parties: Parties
) -> None:
    await _stored_organisation(service, parties, terms=30, supplier_terms=None)
    invoice = _invoice(parties, lines=[_line(1)])
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.invoices.save(invoice, new=True)
        await uow.commit()
    buyer = Principal(user_id=uuid4(), role="buyer_admin", tenant_id=parties.tenant_id)

    async def command() -> None:
        async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
            loaded, portal, _ = await uow.invoices.get_with_settings(invoice.id, scope=buyer)
            assert loaded == invoice and portal.name == "Globex"

    async with service.runtime.engine.connect() as holder:
        await holder.execute(text("SELECT id FROM invoices WHERE id = :id FOR UPDATE"), {"id": invoice.id})
        waiting = asyncio.create_task(command())
        await service.lock_awaited("the command waiting for the invoice's lock")
        # The switch-off's lock on the settings: refused while the command waits for the invoice.
        async with service.runtime.engine.connect() as switch_off:
            with pytest.raises(DBAPIError, match="could not obtain lock"):
                await switch_off.execute(
                    text("SELECT id FROM organisations WHERE id = :id FOR UPDATE NOWAIT"), {"id": parties.tenant_id}
                )
        await holder.rollback()
    await waiting


async def test_a_draft_reads_its_order_the_buyers_settings_and_the_number_taken_with_one_select(
    service: Service, parties: Parties
) -> None:
    po = purchase_order(parties, ("10", "12.50"))
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.purchase_orders.upsert(po, updated_at=datetime.now(UTC))
        await uow.commit()
    buyer = Principal(user_id=uuid4(), role="buyer_admin", tenant_id=parties.tenant_id)
    supplier = Principal(user_id=uuid4(), role="supplier", supplier_ids=frozenset({parties.supplier_id}))
    lines = [LineDraft(po.lines[0].line_id, Decimal("10"), Decimal("12.50"))]

    async def draft(caller: Principal, number: str) -> Invoice:
        uow = UnitOfWork(service.runtime.session_factory, "invoicing")
        return await create_invoice(
            uow, caller, purchase_order_id=po.purchase_order_id, number=number, issue_date=None, lines=lines
        )

    # The buyer's staff write invoices only while the portal is off: unknown, it is on.
    with pytest.raises(NotAllowed):
        await draft(buyer, "B-1")
    with statements_sent(service.runtime.engine) as sent:
        drafted = await draft(supplier, "S-1")
    assert drafted.purchase_order_id == po.purchase_order_id and drafted.net_total == Decimal("125.00")
    assert [statement.split()[0] for statement in sent] == [
        "SELECT",  # the order, the buyer's settings, the number taken
        "WITH",  # the invoice's upsert and its lines
    ], sent

    with pytest.raises(DuplicateInvoiceNumber):
        await draft(supplier, "S-1")
    await _stored_organisation(service, parties, terms=30, supplier_terms=None, portal=False)
    assert (await draft(buyer, "B-1")).created_by_buyer


async def test_a_draft_that_waited_for_a_switch_off_does_not_count_the_drafts_it_deleted(
    service: Service, parties: Parties
) -> None:
    await _stored_organisation(service, parties, terms=30, supplier_terms=None)
    po = purchase_order(parties, ("10", "12.50"))
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.purchase_orders.upsert(po, updated_at=datetime.now(UTC))
        await uow.invoices.save(_invoice(parties, number="N-1", purchase_order_id=po.purchase_order_id), new=True)
        await uow.commit()
    buyer = Principal(user_id=uuid4(), role="buyer_admin", tenant_id=parties.tenant_id)

    async def buyers_draft() -> Invoice:
        uow = UnitOfWork(service.runtime.session_factory, "invoicing")
        return await create_invoice(
            uow, buyer, purchase_order_id=po.purchase_order_id, number="N-1", issue_date=None, lines=None
        )

    # The switch-off as its consumer makes it: the settings' row locked and changed, the
    # suppliers' drafts deleted, committed while the buyer's draft waits for the row.
    async with service.runtime.engine.connect() as switch_off:
        await switch_off.execute(
            text("UPDATE organisations SET supplier_portal_enabled = false, revision = 2 WHERE id = :id"),
            {"id": parties.tenant_id},
        )
        await switch_off.execute(text("DELETE FROM invoices WHERE number = 'N-1'"))
        waiting = asyncio.create_task(buyers_draft())
        await service.lock_awaited("the draft waiting for the settings' lock")
        await switch_off.commit()
    drafted = await waiting
    assert drafted.number == "N-1" and drafted.created_by_buyer


async def test_the_claims_read_with_a_draft_are_the_invoiced_quantities(service: Service, parties: Parties) -> None:
    po_id = uuid4()
    invoiced = _invoice(
        parties, purchase_order_id=po_id, status=Status.approved, lines=[_line(n) for n in range(1, 12)]
    )
    credit_note = _invoice(
        parties,
        purchase_order_id=po_id,
        kind="credit_note",
        status=Status.approved,
        credited_invoice_id=invoiced.id,
        lines=[_line(n, credited_line_id=invoiced.lines[n - 1].line_id) for n in range(1, 4)],
    )
    # The credit note gives back the quantities of the lines it credits, on the same PO lines.
    credit_note.lines = [
        dataclasses.replace(line, purchase_order_line_id=credited.purchase_order_line_id)
        for line, credited in zip(credit_note.lines, invoiced.lines, strict=False)
    ]
    po = purchase_order(parties, ("10", "12.50"), po_id=po_id)
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.purchase_orders.upsert(po, updated_at=datetime.now(UTC))
        for written in (invoiced, credit_note, _invoice(parties, purchase_order_id=po_id, lines=[_line(1)])):
            await uow.invoices.save(written, new=True)
        await uow.commit()

    supplier = Principal(user_id=uuid4(), role="supplier", supplier_ids=frozenset({parties.supplier_id}))
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        basis = await uow.drafts.basis(po_id, scope=supplier, number="X", claimed=True)
        quantities = await uow.invoices.invoiced_quantities(po_id)
    assert basis.claimed is not None and len(basis.claimed) == 9
    assert sorted((str(k), repr(v)) for k, v in basis.claimed.items()) == sorted(
        (str(k), repr(v)) for k, v in quantities.items()
    )


async def test_a_verdict_reads_its_invoice_and_the_orders_initiator_with_one_select(
    service: Service, parties: Parties
) -> None:
    invoice = _invoice(parties, lines=[_line(1)], status=Status.matching, submission=1)
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.invoices.save(invoice, new=True)
        await uow.commit()
    shown = {
        "id": invoice.id,
        "tenant_id": invoice.tenant_id,
        "purchase_order_id": invoice.purchase_order_id,
        "submission": invoice.submission,
        "currency": invoice.currency,
        "net_total": str(invoice.net_total),
        "lines": [
            {**vars(line), "id": line.line_id, "quantity": str(line.quantity), "unit_price": str(line.unit_price)}
            for line in invoice.lines
        ],
    }
    verdict = verdict_for(shown, "needs_approval")

    # Its order not here yet: who approves is not known, the verdict waits.
    with pytest.raises(RetryLater):
        async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
            await record_verdict(uow, verdict)

    po = purchase_order(parties, po_id=invoice.purchase_order_id)
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.purchase_orders.upsert(po, updated_at=datetime.now(UTC))
        await uow.commit()
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.session.execute(text("SELECT 1"))  # the connection's checkout and BEGIN, before counting
        with statements_sent(service.runtime.engine) as sent:
            await record_verdict(uow, verdict)
        await uow.commit()
    assert [statement.split()[0] for statement in sent] == [
        "SELECT",  # the invoice, locked, and its order's initiator
        "WITH",  # the invoice's upsert (its event goes to the outbox at the commit)
    ], sent
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        decided = await uow.invoices.find(invoice.id)
    assert decided is not None and (decided.status, decided.approver_id) == (Status.pending, parties.initiator_id)
