"""What a new invoice on a purchase order is decided on, read by one statement: the caller's
order, its buyer's settings (their row held FOR SHARE, ``read_models.settings_held_for``),
whether the supplier's number is taken and, when asked, what the order's live invoices claim."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import Text, bindparam, cast, exists, func, literal_column, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.read_models import purchase_order_of, settings_held_for, settings_read_with
from invoicing.adapters.repository import INVOICED_QUANTITIES, counted_number
from invoicing.adapters.tables import purchase_orders
from invoicing.domain.errors import PurchaseOrderNotFound
from invoicing.domain.read_models import OrganisationSettings, PurchaseOrder
from shared.auth import Principal, scope_values
from shared.db import caller_scope
from shared.driver import driver_first

# The quantities of ``InvoiceRepository.invoiced_quantities`` as one JSON object (PO line id:
# quantity as its text, exact), for the order the statement reads (its id bound by the same name).
_claims = INVOICED_QUANTITIES.subquery()
_CLAIMED = cast(
    select(
        func.coalesce(
            func.json_object_agg(_claims.c.purchase_order_line_id, cast(_claims.c.quantity, Text)),
            literal_column("'{}'::json"),
        )
    ).scalar_subquery(),
    Text,
).label("claimed")
# ``InvoiceRepository.number_taken`` for the order's supplier.
_NUMBER_TAKEN = exists(select(literal_column("1")).where(counted_number(purchase_orders.c.supplier_id))).label(
    "number_taken"
)


class DraftBasis(NamedTuple):
    purchase_order: PurchaseOrder
    portal: OrganisationSettings
    number_taken: bool
    # Per PO line, what the order's live invoices claim; None when not asked for.
    claimed: dict[UUID, Decimal] | None


@functools.cache
def _basis(*, buyer: bool, claimed: bool) -> Any:
    scope = caller_scope(purchase_orders.c.tenant_id, purchase_orders.c.supplier_id, buyer=buyer, one_row=True)
    held, settings = settings_held_for(purchase_orders.c.tenant_id, versions=True)
    columns: list[Any] = [purchase_orders, *settings, _NUMBER_TAKEN, *([_CLAIMED] if claimed else [])]
    return (
        select(*columns)
        .select_from(purchase_orders.outerjoin(held, true()))
        .where(purchase_orders.c.id == bindparam("purchase_order_id"), scope)
    )


class DraftReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def basis(self, purchase_order_id: UUID, *, scope: Principal, number: str, claimed: bool) -> DraftBasis:
        """The caller's order (another party's is not found) and what a draft on it is decided on;
        ``claimed``: with the quantities its live invoices claim."""
        query = _basis(buyer=scope.is_buyer, claimed=claimed)
        values = {"purchase_order_id": purchase_order_id, "number": number, **scope_values(scope)}
        row = await driver_first(self._session, query, values)
        # Read again once the settings are held when their lock waited for a change (a portal
        # switch-off deletes suppliers' drafts): the number was read in the snapshot from before.
        while row is not None and row.settings_locked_version != row.settings_seen_version:
            row = await driver_first(self._session, query, values)
        if row is None:
            raise PurchaseOrderNotFound()
        claims = (
            {UUID(line_id): Decimal(quantity) for line_id, quantity in json.loads(row.claimed).items()}
            if claimed
            else None
        )
        return DraftBasis(purchase_order_of(row), settings_read_with(row, row.tenant_id), row.number_taken, claims)
