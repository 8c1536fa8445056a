"""Use cases that read orders: one, a page of them, or one as a document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from orders.adapters.pdf import purchase_order_pdf
from orders.domain.errors import UnsupportedExportFormat
from orders.domain.model import PurchaseOrder
from orders.service.unit_of_work import UnitOfWork
from shared.auth import Principal


@dataclass(frozen=True)
class ExportedDocument:
    filename: str
    media_type: str
    content: bytes


async def get_purchase_order(uow: UnitOfWork, caller: Principal, order_id: UUID) -> PurchaseOrder:
    async with uow:
        return await uow.purchase_orders.get(order_id, scope=caller)


async def list_purchase_orders(
    uow: UnitOfWork,
    caller: Principal,
    *,
    limit: int,
    after: tuple[datetime, UUID] | None,
    status: str | None,
    supplier_id: UUID | None,
) -> Sequence[PurchaseOrder]:
    async with uow:
        return await uow.purchase_orders.list(
            scope=caller, limit=limit, after=after, status=status, supplier_id=supplier_id
        )


async def export_purchase_order(
    uow: UnitOfWork, caller: Principal, order_id: UUID, export_format: str
) -> ExportedDocument:
    order = await get_purchase_order(uow, caller, order_id)
    if export_format != "pdf":
        raise UnsupportedExportFormat(export_format)
    content = await purchase_order_pdf(order.snapshot())
    return ExportedDocument(filename=f"{order.number}.pdf", media_type="application/pdf", content=content)
