"""Read use cases of the invoicing service: the caller's invoices, one or a page of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from invoicing.domain.model import Invoice
from invoicing.service.unit_of_work import UnitOfWork
from shared.auth import Principal


async def get_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    async with uow:
        return await uow.invoices.get(invoice_id, scope=caller)


async def list_invoices(
    uow: UnitOfWork,
    caller: Principal,
    *,
    status: str | None,
    purchase_order_id: UUID | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> Sequence[Invoice]:
    async with uow:
        return await uow.invoices.list(
            scope=caller, status=status, purchase_order_id=purchase_order_id, limit=limit, after=after
        )
