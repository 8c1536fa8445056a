"""Events of ``orders.purchase-order.v1``: a purchase order's whole current state, keyed by its id."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import DecimalStr, EventPayload

PURCHASE_ORDERS_TOPIC = "orders.purchase-order.v1"

PurchaseOrderStatus = Literal[
    "draft", "sent", "acknowledged", "partially_invoiced", "fully_invoiced", "canceled", "closed"
]


class PurchaseOrderLineState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    line_id: UUID
    line_no: int
    sku: str | None = None
    description: str
    unit: str | None = None
    quantity: DecimalStr
    unit_price: DecimalStr
    net_amount: DecimalStr
    invoiced_quantity: DecimalStr
    remaining_quantity: DecimalStr


class PurchaseOrderSnapshot(EventPayload):
    topic = PURCHASE_ORDERS_TOPIC

    purchase_order_id: UUID
    tenant_id: UUID
    number: str
    supplier_id: UUID
    supplier_name: str
    currency: str
    delivery_date: date | None = None
    status: PurchaseOrderStatus
    initiator_id: UUID
    net_total: DecimalStr
    lines: list[PurchaseOrderLineState]
    created_at: datetime
    submitted_at: datetime | None = None
    revision: int

    def key(self) -> str:
        return str(self.purchase_order_id)


class PurchaseOrderSubmitted(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderSubmitted"


class PurchaseOrderAcknowledged(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderAcknowledged"


class PurchaseOrderInvoicingChanged(PurchaseOrderSnapshot):
    """Invoiced and remaining quantities moved because an invoice went live or dropped out."""

    event_type = "PurchaseOrderInvoicingChanged"


class PurchaseOrderCanceled(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderCanceled"


class PurchaseOrderClosed(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderClosed"


PURCHASE_ORDER_EVENTS: tuple[type[EventPayload], ...] = (
    PurchaseOrderSubmitted,
    PurchaseOrderAcknowledged,
    PurchaseOrderInvoicingChanged,
    PurchaseOrderCanceled,
    PurchaseOrderClosed,
)
