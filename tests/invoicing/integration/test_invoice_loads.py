"""An invoice is loaded by one statement, its lines and payments with it, and comes back exactly
as its rows hold it: the same values, of the same types and scales, as a select of each table
gives them."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select, text

from invoicing.adapters.tables import invoice_lines, payments, suppliers
from invoicing.domain.lines import InvoiceLine
from invoicing.domain.model import Invoice
from invoicing.domain.payments import Payment
from invoicing.domain.status import Status
from invoicing.service.unit_of_work import UnitOfWork
from portal_dev.testing import statements_sent
from shared.auth import Principal
from tests.invoicing.integration.conftest import Service
from tests.invoicing.integration.scenario import Parties

# Numerics as people and rounding leave them: scales from none to many, trailing zeros kept.
_AWKWARD = ["10", "1.50", "0.000001", "12345678901234.123456789", "3.3333333333333333333", "100.0000", "7e-3"]


def _line(n: int, *, credited_line_id: UUID | None = None) -> InvoiceLine:
    quantity = Decimal(_AWKWARD[n % len(_AWKWARD)])
    unit_price = Decimal(_AWKWARD[(n + 3) % len(_AWKWARD)])
    return InvoiceLine(
        line_id=uuid4(),
        line_no=n + 1,
        purchase_order_line_id=None if n % 5 == 0 else uuid4(),
        description=f'line {n + 1}: "quoted", ünïcødé, back\\slash',
        quantity=quantity,
        unit_price=unit_price,
        net_amount=(quantity * unit_price).quantize(Decimal("0.01")),
        tax_rate=Decimal(_AWKWARD[(n + 5) % len(_AWKWARD)]),
        tax_amount=Decimal("0.00") if n % 2 else Decimal("1.2"),
        credited_line_id=credited_line_id,
    )


def _invoice(parties: Parties, **fields: Any) -> Invoice:
    now = datetime(2026, 3, 1, 9, 30, 0, 1, tzinfo=UTC)
    values: dict[str, Any] = dict(
        id=uuid4(),
        tenant_id=parties.tenant_id,
        purchase_order_id=uuid4(),
        purchase_order_number="PO-1",
        supplier_id=parties.supplier_id,
        number=f"INV-{uuid4().hex[:8]}",
        currency="EUR",
        created_at=now,
        updated_at=now + timedelta(microseconds=999_999),
    )
    return Invoice(**(values | fields))


async def _loaded_table_by_table(uow: UnitOfWork, invoice_id: UUID) -> tuple[list[InvoiceLine], list[Payment]]:
    """The lines and payments as a select of each table gives them."""
    lines = (
        await uow.session.execute(
            select(invoice_lines).where(invoice_lines.c.invoice_id == invoice_id).order_by(invoice_lines.c.line_no)
        )
    ).all()
    paid = (
        await uow.session.execute(
            select(payments).where(payments.c.invoice_id == invoice_id).order_by(payments.c.paid_at, payments.c.id)
        )
    ).all()
    return (
        [
            InvoiceLine(line_id=row.id, **{k: v for k, v in row._mapping.items() if k not in ("id", "invoice_id")})
            for row in lines
        ],
        [Payment(row.id, row.amount, row.paid_at) for row in paid],
    )


def _exactly(value: Any) -> list[tuple[str, str]]:
    """Each field's type and repr: Decimal("1.5") == Decimal("1.50"), but they are not stored alike."""
    return [(type(v).__name__, repr(v)) for v in (value if isinstance(value, list) else vars(value).values())]


async def test_a_loaded_invoice_is_the_one_its_rows_hold(service: Service, parties: Parties) -> None:
    paid_at = datetime(2026, 3, 2, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5)))
    invoice = _invoice(
        parties,
        status=Status.partly_paid,
        submission=2,
        submitted_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
        lines=[_line(n) for n in range(60)],
        payments=[
            Payment(UUID(int=2), Decimal("0.01"), paid_at),
            Payment(UUID(int=1), Decimal("1000000.10"), paid_at),  # the same time: by id
            Payment(uuid4(), Decimal("5"), datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
            Payment(uuid4(), Decimal("2.5"), datetime(2026, 3, 1, 0, 0, 0, 1, tzinfo=UTC)),
        ],
        credited_total=Decimal("12.3400"),
    )
    credit_note = _invoice(
        parties,
        kind="credit_note",
        credited_invoice_id=invoice.id,
        lines=[_line(n, credited_line_id=invoice.lines[n].line_id) for n in range(3)],
    )
    bare = _invoice(parties)
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.session.execute(
            suppliers.insert().values(id=parties.supplier_id, tenant_id=parties.tenant_id, name="Acme", revision=1)
        )
        for written in (invoice, credit_note, bare):
            await uow.invoices.save(written, new=True)
        await uow.commit()

    scope = Principal(user_id=uuid4(), role="buyer_admin", tenant_id=parties.tenant_id)
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        for written in (invoice, credit_note, bare):
            for loaded in (
                await uow.invoices.get(written.id, scope=scope),
                await uow.invoices.find(written.id, for_update=True),
            ):
                in_time_order = sorted(written.payments, key=lambda p: (p.paid_at, p.payment_id))
                assert loaded == dataclasses.replace(written, payments=in_time_order)
                assert loaded.supplier_name == "Acme"
                lines, paid = await _loaded_table_by_table(uow, written.id)
                assert [_exactly(line) for line in loaded.lines] == [_exactly(line) for line in lines]
                assert [_exactly(payment) for payment in loaded.payments] == [_exactly(p) for p in paid]
                assert [p.paid_at.utcoffset() for p in loaded.payments] == [timedelta(0)] * len(paid)


async def test_an_invoice_is_loaded_by_one_statement(service: Service, parties: Parties) -> None:
    invoice = _invoice(
        parties, lines=[_line(n) for n in range(3)], payments=[Payment(uuid4(), Decimal(1), datetime.now(UTC))]
    )
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.invoices.save(invoice, new=True)
        await uow.commit()

    supplier = Principal(user_id=uuid4(), role="supplier", supplier_ids=frozenset({parties.supplier_id}))
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.session.execute(text("SELECT 1"))  # the connection's checkout and BEGIN, before counting
        with statements_sent(service.runtime.engine) as sent:
            assert await uow.invoices.get(invoice.id, scope=supplier) == invoice
            assert await uow.invoices.find(invoice.id, for_update=True) == invoice
        assert len(sent) == 2, sent


async def test_a_load_that_waited_for_the_lock_sees_the_lines_the_holder_wrote(
    service: Service, parties: Parties
) -> None:
    invoice = _invoice(parties, lines=[_line(n) for n in range(2)])
    async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
        await uow.invoices.save(invoice, new=True)
        await uow.commit()

    async with UnitOfWork(service.runtime.session_factory, "invoicing") as holder:
        held = await holder.invoices.find(invoice.id, for_update=True)
        assert held is not None
        held.lines = [dataclasses.replace(held.lines[0], quantity=Decimal("2.50"))]
        held.revision += 1
        await holder.invoices.save(held)

        async def waiting_load() -> Invoice | None:
            async with UnitOfWork(service.runtime.session_factory, "invoicing") as uow:
                return await uow.invoices.find(invoice.id, for_update=True)

        waiter = asyncio.create_task(waiting_load())
        await service.lock_awaited("the second load waiting for the invoice's lock")
        await holder.commit()
    loaded = await waiter
    assert loaded is not None and loaded.revision == held.revision
    assert [repr(line.quantity) for line in loaded.lines] == ["Decimal('2.50')"]
