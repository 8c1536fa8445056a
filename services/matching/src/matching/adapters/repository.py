"""Loads and saves matching's read models and verdicts.

Read models are upserts from whole-state snapshots: a snapshot with an older ``revision`` than
the stored one is ignored, so a late redelivery never rolls a read model back.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Table, and_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.tables import invoices, organisation_tolerances, purchase_orders, supplier_tolerances
from matching.domain.model import (
    Invoice,
    InvoiceLine,
    OrderLine,
    OrganisationTolerance,
    PurchaseOrder,
    SupplierTolerance,
)
from shared.db import upsert
from shared.driver import driver_first, driver_rows
from shared.fields import made_of, values_of


def _upsert_newer(table: Table, key: str, values: dict[str, Any], *, returning: bool = False) -> Any:
    return upsert(
        table, tuple(values), key=(key,), keep=("tenant_id",), newer="revision", or_equal=True, returning=returning
    )


def _json_lines(lines: tuple[OrderLine, ...] | tuple[InvoiceLine, ...]) -> list[dict[str, Any]]:
    return [{name: _json_value(value) for name, value in vars(line).items()} for line in lines]


def _json_value(value: object) -> object:
    """UUIDs and Decimals as strings, so that nothing loses precision in JSON."""
    return value if value is None or isinstance(value, int | str) else str(value)


def _order_line(raw: dict[str, Any]) -> OrderLine:
    return OrderLine(
        line_id=UUID(raw["line_id"]),
        line_no=raw["line_no"],
        description=raw["description"],
        quantity=Decimal(raw["quantity"]),
        unit_price=Decimal(raw["unit_price"]),
        net_amount=Decimal(raw["net_amount"]),
        # Absent from lines stored before taxes: untaxed.
        tax_rate=Decimal(raw.get("tax_rate", 0)),
        received_quantity=Decimal(raw.get("received_quantity", 0)),
    )


def _invoice_line(raw: dict[str, Any]) -> InvoiceLine:
    po_line = raw["purchase_order_line_id"]
    return InvoiceLine(
        line_id=UUID(raw["line_id"]),
        line_no=raw["line_no"],
        purchase_order_line_id=UUID(po_line) if po_line else None,
        description=raw["description"],
        quantity=Decimal(raw["quantity"]),
        unit_price=Decimal(raw["unit_price"]),
        net_amount=Decimal(raw["net_amount"]),
        credited_line_id=UUID(raw["credited_line_id"]) if raw.get("credited_line_id") else None,
        tax_rate=Decimal(raw.get("tax_rate", 0)),
    )


# The statements of every event, built once per shape; the values are bound at execution. Built
# on every call, each cost its construction and the walk of its expression for its cache key.
_PO_BY_ID = select(purchase_orders).where(purchase_orders.c.id == bindparam("purchase_order_id"))
_PO_BY_ID_FOR_UPDATE = _PO_BY_ID.with_for_update()
_EARLIER = and_(
    invoices.c.purchase_order_id == bindparam("purchase_order_id"), invoices.c.received_seq < bindparam("received_seq")
)
_RECEIVED_BEFORE = select(invoices).where(_EARLIER).order_by(invoices.c.received_seq)


@functools.cache
def _earlier_and_namesakes(*, namesakes: bool) -> Any:
    """The PO's invoices received before a position, and with ``namesakes`` the supplier's
    invoices of other POs with the same number key."""
    condition = _EARLIER
    if namesakes:
        condition = or_(
            _EARLIER,
            and_(
                invoices.c.supplier_id == bindparam("supplier_id"),
                invoices.c.number_key == bindparam("number_key"),
                invoices.c.purchase_order_id != bindparam("purchase_order_id"),
                invoices.c.tenant_id == bindparam("tenant_id"),
            ),
        )
    return select(invoices).where(condition).order_by(invoices.c.received_seq)


@functools.cache
def _stored_with_earlier_and_namesakes(columns: tuple[str, ...], *, namesakes: bool) -> Any:
    """A submission's row stored at its position, and what ``_earlier_and_namesakes`` reads, in
    one statement. The read sees the table as it was before the insert (a statement's parts share
    one snapshot), so the invoice's former row is left out when the insert replaced it, as a read
    after the insert would not find it before its new position; its new row is never among them
    (at its own position, on its own PO)."""
    # The values named for their columns: an insert inside a CTE is not given them by execution.
    given = insert(invoices).values({name: bindparam(name, type_=invoices.c[name].type) for name in columns})
    stored = (
        given.on_conflict_do_update(
            index_elements=[invoices.c.id],
            set_={name: given.excluded[name] for name in columns if name not in ("id", "tenant_id")},
            where=invoices.c.revision <= given.excluded.revision,
        )
        .returning(invoices.c.id)
        .cte("stored")
    )
    return _earlier_and_namesakes(namesakes=namesakes).where(invoices.c.id.not_in(select(stored.c.id)))


class PurchaseOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, purchase_order_id: UUID, *, for_update: bool = False) -> PurchaseOrder | None:
        query = _PO_BY_ID_FOR_UPDATE if for_update else _PO_BY_ID
        row = await driver_first(self._session, query, {"purchase_order_id": purchase_order_id})
        if row is None:
            return None
        return made_of(PurchaseOrder, row, lines=tuple(_order_line(raw) for raw in row.lines))

    async def save(self, po: PurchaseOrder) -> bool:
        """Store the PO's state unless a newer one is stored; True when stored (and row-locked)."""
        values = values_of(purchase_orders.c.keys(), po, lines=_json_lines(po.lines))
        statement = _upsert_newer(purchase_orders, "id", values, returning=True)
        return bool(await driver_rows(self._session, statement, values))


class SupplierToleranceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save(self, tolerance: SupplierTolerance) -> None:
        await self._store(supplier_tolerances, "supplier_id", tolerance)

    async def save_organisation(self, tolerance: OrganisationTolerance) -> None:
        await self._store(organisation_tolerances, "tenant_id", tolerance)

    async def _store(self, table: Table, key: str, tolerance: SupplierTolerance | OrganisationTolerance) -> None:
        policy = tolerance.policy
        values = values_of(table.c.keys(), tolerance, tolerance_rate=policy.rate, tolerance_amount=policy.amount)
        await self._session.execute(_upsert_newer(table, key, values), values)


def invoice_of(row: Row) -> Invoice:
    """An invoice of its stored row (or of a row with its columns and more)."""
    return made_of(Invoice, row, lines=tuple(_invoice_line(raw) for raw in row.lines))


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save(self, invoice: Invoice) -> None:
        """Upsert the invoice's state (a submission's is stored by ``store_submission``)."""
        values = values_of(invoices.c.keys(), invoice, lines=_json_lines(invoice.lines), number_key=invoice.number_key)
        await driver_rows(self._session, _upsert_newer(invoices, "id", values), values)

    async def received_before(self, purchase_order_id: UUID, received_seq: int) -> list[Invoice]:
        """The PO's other invoices whose submission matching received before position ``received_seq``."""
        values = {"purchase_order_id": purchase_order_id, "received_seq": received_seq}
        return [invoice_of(row) for row in (await self._session.execute(_RECEIVED_BEFORE, values)).all()]

    async def store_submission(self, invoice: Invoice, received_seq: int) -> tuple[list[Invoice], list[Invoice]]:
        """Store the submission at position ``received_seq`` among its PO's (unless a newer state
        of the invoice is stored), and return the PO's other invoices received before it (in that
        order) and the supplier's invoices of other POs with the same number key: what
        ``match_invoice`` and ``possible_duplicates`` look through, on one round trip."""
        values = values_of(invoices.c.keys(), invoice, lines=_json_lines(invoice.lines), number_key=invoice.number_key)
        values["received_seq"] = received_seq
        namesakes = bool(invoice.number_key) and not invoice.is_credit_note
        query = _stored_with_earlier_and_namesakes(tuple(values), namesakes=namesakes)
        found = [invoice_of(row) for row in await driver_rows(self._session, query, values)]
        of_po = [other for other in found if other.purchase_order_id == invoice.purchase_order_id]
        return of_po, [other for other in found if other.purchase_order_id != invoice.purchase_order_id]
