"""Use cases that read orders: one, a page of them, their counts, or one as a document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from orders.adapters.pages import page_query
from orders.adapters.pdf import purchase_order_pdf
from orders.adapters.summary import OrderCounts
from orders.adapters.xlsx import purchase_order_xlsx
from orders.domain.errors import UnsupportedExportFormat
from orders.domain.model import PurchaseOrder
from orders.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.json_documents import PageItem
from shared.uploads import XLSX, ExportedFile


async def get_purchase_order(uow: UnitOfWork, caller: Principal, order_id: UUID) -> PurchaseOrder:
    async with uow:
        return await uow.purchase_orders.get(order_id, scope=caller)


async def list_purchase_orders(
    uow: UnitOfWork,
    caller: Principal,
    document: Any,
    *,
    limit: int,
    after: tuple[datetime, UUID] | None,
    status: str | None,
    supplier_id: UUID | None,
    open_only: bool | None = None,
    number: str | None = None,
) -> Sequence[PageItem]:
    """A page of the orders the caller sees, each as ``document`` (``order_document``) writes it;
    ``number`` keeps those whose number holds that text (blank: no filter)."""
    query = page_query(
        document,
        scope=caller,
        limit=limit,
        after=after,
        status=status,
        supplier_id=supplier_id,
        open_only=open_only,
        number=(number or "").strip() or None,
    )
    async with uow:
        return await uow.pages.items(query)


async def summarize(uow: UnitOfWork, caller: Principal) -> OrderCounts:
    """The supplier's counts over its orders; a buyer's over its tenant's."""
    async with uow:
        return await uow.summary.counts(caller)


async def export_purchase_order(uow: UnitOfWork, caller: Principal, order_id: UUID, export_format: str) -> ExportedFile:
    if export_format not in ("pdf", "xlsx"):
        raise UnsupportedExportFormat(export_format)
    order = await get_purchase_order(uow, caller, order_id)
    if export_format == "xlsx":
        content = await purchase_order_xlsx(order.snapshot())
        return ExportedFile(filename=f"{order.number}.xlsx", media_type=XLSX, content=content)
    content = await purchase_order_pdf(order.snapshot())
    return ExportedFile(filename=f"{order.number}.pdf", media_type="application/pdf", content=content)
