"""Counts of the caller's purchase orders for the portal's start page, in one query.

Unprocessed: sent and untouched since — not acknowledged, no live invoice, nothing invoiced —
or changed by the buyer since the supplier acknowledged it (``change_unacknowledged``).
Open: what ``GET /purchase-orders?open=true`` lists (``OPEN_STATUSES``). By status: every
status, 0 where there is none (a supplier sees no drafts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters.acknowledgement import change_unacknowledged
from orders.adapters.repository import visible_to
from orders.adapters.tables import invoices, purchase_order_lines, purchase_orders
from orders.domain.model import OPEN_STATUSES
from shared.auth import Principal
from shared.contracts.invoicing import LIVE_INVOICE_STATUSES
from shared.contracts.orders import PurchaseOrderStatus

STATUSES: tuple[str, ...] = get_args(PurchaseOrderStatus)


@dataclass(frozen=True)
class OrderCounts:
    unprocessed_orders: int
    open_orders: int
    orders_by_status: dict[str, int] = field(default_factory=dict)


class OrderSummary:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def counts(self, scope: Principal) -> OrderCounts:
        live_invoice = exists().where(
            invoices.c.purchase_order_id == purchase_orders.c.id,
            invoices.c.status.in_(sorted(LIVE_INVOICE_STATUSES)),
        )
        # A live invoice whose lines are all new items bills no PO line, yet the supplier acted.
        invoiced_line = exists().where(
            purchase_order_lines.c.purchase_order_id == purchase_orders.c.id,
            purchase_order_lines.c.invoiced_quantity > 0,
        )
        unprocessed = or_(
            and_(
                purchase_orders.c.status == "sent",
                purchase_orders.c.acknowledged_at.is_(None),
                ~live_invoice,
                ~invoiced_line,
            ),
            change_unacknowledged(),
        )
        query = select(
            func.count().filter(unprocessed),
            func.count().filter(purchase_orders.c.status.in_(sorted(OPEN_STATUSES))),
            *(func.count().filter(purchase_orders.c.status == status) for status in STATUSES),
        ).where(visible_to(scope))
        unprocessed_count, open_count, *by_status = (await self._session.execute(query)).one()
        return OrderCounts(
            unprocessed_orders=unprocessed_count,
            open_orders=open_count,
            orders_by_status=dict(zip(STATUSES, by_status, strict=True)),
        )
