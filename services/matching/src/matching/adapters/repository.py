"""Loads and saves matching's read models and verdicts.

Read models are upserts from whole-state snapshots: a snapshot with an older ``revision`` than
the stored one is ignored, so a late redelivery never rolls a read model back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.tables import invoices, purchase_orders, supplier_tolerances
from matching.domain.model import Invoice, InvoiceLine, OrderLine, PurchaseOrder, SupplierTolerance
from shared.db import upsert
from shared.fields import made_of, values_of


def _upsert_newer(table: Table, key: str, values: dict[str, Any]) -> Any:
    return upsert(table, tuple(values), key=(key,), keep=("tenant_id",), newer="revision", or_equal=True)


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


class PurchaseOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, purchase_order_id: UUID, *, for_update: bool = False) -> PurchaseOrder | None:
        query = select(purchase_orders).where(purchase_orders.c.id == purchase_order_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return made_of(PurchaseOrder, row, lines=tuple(_order_line(raw) for raw in row.lines))

    async def save(self, po: PurchaseOrder) -> None:
        values = values_of(purchase_orders.c.keys(), po, lines=_json_lines(po.lines))
        await self._session.execute(_upsert_newer(purchase_orders, "id", values), values)


class SupplierToleranceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, supplier_id: UUID) -> SupplierTolerance | None:
        query = select(supplier_tolerances).where(supplier_tolerances.c.supplier_id == supplier_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        return SupplierTolerance(row.supplier_id, row.tenant_id, row.tolerance_rate, row.revision)

    async def save(self, tolerance: SupplierTolerance) -> None:
        values = vars(tolerance).copy()
        await self._session.execute(_upsert_newer(supplier_tolerances, "supplier_id", values), values)


def _invoice(row: Row) -> Invoice:
    return made_of(Invoice, row, lines=tuple(_invoice_line(raw) for raw in row.lines))


class InvoiceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save(self, invoice: Invoice, *, received_seq: int | None = None) -> None:
        """Upsert the invoice's state; ``received_seq`` records a submission's arrival."""
        values = values_of(invoices.c.keys(), invoice, lines=_json_lines(invoice.lines))
        if received_seq is not None:
            values["received_seq"] = received_seq
        await self._session.execute(_upsert_newer(invoices, "id", values), values)

    async def next_received_seq(self, purchase_order_id: UUID) -> int:
        """The next position among the PO's submissions; callers hold the PO row lock."""
        query = select(func.coalesce(func.max(invoices.c.received_seq), 0)).where(
            invoices.c.purchase_order_id == purchase_order_id
        )
        return int((await self._session.execute(query)).scalar_one()) + 1

    async def received_before(self, purchase_order_id: UUID, received_seq: int) -> list[Invoice]:
        """The PO's other invoices whose submission matching received before position ``received_seq``."""
        query = (
            select(invoices)
            .where(invoices.c.purchase_order_id == purchase_order_id, invoices.c.received_seq < received_seq)
            .order_by(invoices.c.received_seq)
        )
        return [_invoice(row) for row in (await self._session.execute(query)).all()]
