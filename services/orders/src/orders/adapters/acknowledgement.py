"""The acknowledgement rule of ``PurchaseOrder.change_unacknowledged`` in SQL, for what PostgreSQL
answers without loading the orders: the pages of orders and the counts of unprocessed ones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, func

from orders.adapters.tables import purchase_orders
from orders.domain.model import FINAL_STATUSES


def change_unacknowledged() -> Any:
    """True while the buyer changed a live order after the supplier's latest acknowledgement;
    false (never null) for an order never acknowledged or never changed."""
    po = purchase_orders.c
    return func.coalesce(
        and_(po.status.not_in(sorted(FINAL_STATUSES)), po.changed_revision > po.acknowledged_revision), false()
    )
