"""Events of ``orders.purchase-order.v1``: a purchase order's whole current state, keyed by its id."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import DecimalStr, EventPayload, GrossTotal, LineTaxAmount, LineTaxRate, TaxTotal
from shared.contracts.conversation import AttachmentAdded, CommentAdded

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
    tax_rate: LineTaxRate
    tax_amount: LineTaxAmount
    # What the buyer's goods receipts (not reversed) say arrived of the line; 0 before receipts.
    received_quantity: DecimalStr = Decimal(0)


class TermsWarning(BaseModel):
    """The PO ignores one of the supplier's terms: flagged to both sides, never refused."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    code: Literal["below_minimum_order_amount", "inside_lead_time"]
    message: str


class FieldChange(BaseModel):
    """One change the buyer made to a sent PO, as the supplier is told of it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    field: str
    before: str | None
    after: str | None


class PartyDetails(BaseModel):
    """A party to a purchase order as documents name it, beside its name (``buyer_name``,
    ``supplier_name``): what its organisation or supplier record said when the order was last
    published. A detail not known is null; a legal name of null means the party's name."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


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
    tax_total: TaxTotal
    gross_total: GrossTotal
    lines: list[PurchaseOrderLineState]
    created_at: datetime
    submitted_at: datetime | None = None
    revision: int
    acknowledged_at: datetime | None = None
    buyer_name: str | None = None
    warnings: list[TermsWarning] = []
    source_rfp_id: UUID | None = None
    # The revision the supplier's latest acknowledgement made (None: never acknowledged), and
    # whether the buyer changed the order since (the supplier is to acknowledge it again).
    acknowledged_revision: int | None = None
    change_unacknowledged: bool = False
    # Where the goods go (several lines); null: to the buyer's address (``buyer.address``).
    delivery_address: str | None = None
    # The parties' legal details, the initiator's name and email and the payment terms (the
    # supplier's, else the organisation's default) as orders knew them when the event was
    # written; null where not known yet. Documents print them, as the supplier receives them.
    buyer: PartyDetails | None = None
    supplier: PartyDetails | None = None
    initiator_name: str | None = None
    initiator_email: str | None = None
    payment_terms_days: int | None = None
    # Invoices of this order are matched against its goods receipts too (three-way matching).
    match_against_receipts: bool = False

    def key(self) -> str:
        return str(self.purchase_order_id)


class PurchaseOrderSubmitted(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderSubmitted"


class PurchaseOrderAcknowledged(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderAcknowledged"


class PurchaseOrderInvoicingChanged(PurchaseOrderSnapshot):
    """Invoiced and remaining quantities moved because an invoice went live or dropped out."""

    event_type = "PurchaseOrderInvoicingChanged"


class PurchaseOrderChanged(PurchaseOrderSnapshot):
    """The buyer changed a sent PO (delivery date or address, or lines while nothing is invoiced)."""

    event_type = "PurchaseOrderChanged"
    changes: list[FieldChange]


class PurchaseOrderCanceled(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderCanceled"


class PurchaseOrderClosed(PurchaseOrderSnapshot):
    event_type = "PurchaseOrderClosed"


class GoodsReceiptLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    purchase_order_line_id: UUID
    quantity: DecimalStr


class GoodsReceipt(BaseModel):
    """What the buyer recorded as arrived of a purchase order on one day; reversed, it no longer
    counts in the lines' ``received_quantity``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    receipt_id: UUID
    number: str
    received_on: date
    note: str | None = None
    lines: list[GoodsReceiptLine]
    status: Literal["recorded", "reversed"]
    recorded_by: UUID
    recorded_at: datetime
    reversed_by: UUID | None = None
    reversed_at: datetime | None = None


class GoodsReceiptRecorded(PurchaseOrderSnapshot):
    """The buyer recorded a goods receipt: the order's whole state after it (the lines'
    ``received_quantity`` include it), and the receipt."""

    event_type = "GoodsReceiptRecorded"
    receipt: GoodsReceipt


class GoodsReceiptReversed(PurchaseOrderSnapshot):
    """The buyer reversed a goods receipt: the order's whole state after it, and the receipt."""

    event_type = "GoodsReceiptReversed"
    receipt: GoodsReceipt


class PurchaseOrderCommentAdded(CommentAdded):
    """A comment on a PO by either side; the other side is told of it."""

    topic = PURCHASE_ORDERS_TOPIC
    event_type = "PurchaseOrderCommentAdded"

    initiator_id: UUID


class PurchaseOrderAttachmentAdded(AttachmentAdded):
    """A file was attached to a PO (metadata only; the bytes stay with the orders service)."""

    topic = PURCHASE_ORDERS_TOPIC
    event_type = "PurchaseOrderAttachmentAdded"


PURCHASE_ORDER_EVENTS: tuple[type[EventPayload], ...] = (
    PurchaseOrderSubmitted,
    PurchaseOrderAcknowledged,
    PurchaseOrderInvoicingChanged,
    PurchaseOrderChanged,
    PurchaseOrderCanceled,
    PurchaseOrderClosed,
    PurchaseOrderCommentAdded,
    PurchaseOrderAttachmentAdded,
    GoodsReceiptRecorded,
    GoodsReceiptReversed,
)
