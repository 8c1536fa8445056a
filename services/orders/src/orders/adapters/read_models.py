"""Read models kept from other services' events: suppliers, buyer organisations, users and invoices.

Each is an upsert of a whole-state copy that only replaces the stored row when the incoming
revision is newer (a user's ``updated_at``: user events carry no revision); an older or repeated
copy changes nothing and says so.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters.tables import invoices, organisations, suppliers, users
from orders.domain.read_models import InvoicedLine, InvoiceRecord, OrganisationRecord, SupplierRecord, UserRecord
from shared.db import store_if_newer, upsert
from shared.driver import driver_rows
from shared.fields import made_of, values_of


def _stored_with_the_orders_others() -> Any:
    """The invoice's copy stored unless one of the same or a higher revision is there, and, when
    it was, the order's other invoices: one statement, so one round trip per invoice event.

    The select sees the table as it was before the insert (a statement's parts share one
    snapshot), so the stored row comes from ``RETURNING`` and its former state is left out."""
    given = insert(invoices).values({column.key: bindparam(column.key, type_=column.type) for column in invoices.c})
    stored = (
        given.on_conflict_do_update(
            index_elements=[invoices.c.id],
            set_={column.key: given.excluded[column.key] for column in invoices.c if column.key != "id"},
            where=invoices.c.revision < given.excluded.revision,
        )
        .returning(*invoices.c)
        .cte("stored")
    )
    others = select(invoices).where(
        invoices.c.purchase_order_id == bindparam("purchase_order_id"),
        invoices.c.id != bindparam("id"),
        exists(select(stored.c.id)),
    )
    return select(stored).union_all(others)


# Built once (the values are bound at execution): every invoice event recounts its order.
_STORED_WITH_THE_ORDERS_OTHERS = _stored_with_the_orders_others()


def _invoice_record(row: Row[Any]) -> InvoiceRecord:
    lines = tuple(
        InvoicedLine(
            purchase_order_line_id=UUID(line["purchase_order_line_id"]) if line["purchase_order_line_id"] else None,
            quantity=Decimal(line["quantity"]),
        )
        for line in row.lines
    )
    return made_of(InvoiceRecord, row, invoice_id=row.id, lines=lines)


class SupplierDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, record: SupplierRecord) -> bool:
        values = values_of(suppliers.c.keys(), record, id=record.supplier_id)
        return await store_if_newer(self._session, suppliers, values)

    async def get(self, supplier_id: UUID, *, tenant_id: UUID) -> SupplierRecord | None:
        """The tenant's supplier; another tenant's supplier is as unknown as a missing one."""
        query = select(suppliers).where(suppliers.c.id == supplier_id, suppliers.c.tenant_id == tenant_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return made_of(SupplierRecord, row, supplier_id=row.id)


class OrganisationDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, record: OrganisationRecord) -> bool:
        values = values_of(organisations.c.keys(), record)
        return await store_if_newer(self._session, organisations, values, key="tenant_id")

    async def three_way_matching(self, tenant_id: UUID) -> bool:
        """The organisation's default for a new order's ``match_against_receipts`` (off while unknown)."""
        query = select(organisations.c.three_way_matching).where(organisations.c.tenant_id == tenant_id)
        return bool((await self._session.execute(query)).scalar())


class UserDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, record: UserRecord) -> bool:
        values = values_of(users.c.keys(), record)
        statement = upsert(users, tuple(values), key=("user_id",), newer="updated_at", or_equal=True, returning=True)
        return (await self._session.execute(statement, values)).first() is not None


class InvoiceLedger:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, record: InvoiceRecord) -> list[InvoiceRecord] | None:
        """Store the invoice's copy unless one of the same or a higher revision is there (a
        redelivered or late event); then the invoices of its order as they stand, this one
        included. None when nothing was stored."""
        lines = [
            {
                "purchase_order_line_id": str(line.purchase_order_line_id) if line.purchase_order_line_id else None,
                "quantity": str(line.quantity),
            }
            for line in record.lines
        ]
        values = values_of(invoices.c.keys(), record, id=record.invoice_id, lines=lines)
        found = await driver_rows(self._session, _STORED_WITH_THE_ORDERS_OTHERS, values)
        if not found:
            return None
        return [_invoice_record(row) for row in found]
