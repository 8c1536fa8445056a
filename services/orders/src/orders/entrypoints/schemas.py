"""Request and response bodies of the purchase orders API."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from orders.domain.lines import LineInput, PurchaseOrderLine
from orders.domain.model import PurchaseOrder
from shared.contracts.base import DecimalStr
from shared.contracts.orders import PartyDetails, PurchaseOrderStatus, TermsWarning
from shared.fields import made_of
from shared.taxes import MAX_TAX_RATE, TAX_RATE_DECIMALS
from shared.text_input import OneLine

StatusFilter = Literal["draft", "sent", "acknowledged", "partially_invoiced", "fully_invoiced", "canceled", "closed"]
# A search in PO numbers: trimmed, then at most 50 characters (longer is refused, 422).
NumberSearch = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]


def plain_decimal(value: Decimal) -> Decimal:
    """The number written without an exponent: "1E+3" would travel in events as "1E+3" but come
    back from the database as "1000"."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    unit_price: Decimal = Field(ge=0, max_digits=18, decimal_places=6)
    sku: Annotated[str, OneLine] | None = Field(None, max_length=100)
    unit: Annotated[str, OneLine] | None = Field(None, max_length=30)
    tax_rate: Decimal = Field(
        Decimal(0), ge=0, le=MAX_TAX_RATE, max_digits=8, decimal_places=TAX_RATE_DECIMALS, description="percent"
    )

    @field_validator("quantity", "unit_price", "tax_rate")
    @classmethod
    def _plain_notation(cls, value: Decimal) -> Decimal:
        return plain_decimal(value)

    def to_domain(self) -> LineInput:
        return made_of(LineInput, self)


DELIVERY_ADDRESS_DOC = (
    "where the goods go, several lines (at most 500 characters; no control characters but line breaks); "
    "null or empty: to the buyer's address, which documents then print"
)
PAYMENT_TERMS_DOC = "days from an invoice's issue date to its due date: the supplier's, else the organisation's default"

MATCH_DOC = (
    "invoices of the order are matched against its goods receipts too (three-way matching); "
    "on creation, null or absent takes the organisation's three_way_matching"
)


class PurchaseOrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supplier_id: UUID
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    delivery_date: date | None = None
    delivery_address: str | None = Field(None, description=DELIVERY_ADDRESS_DOC)
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    match_against_receipts: bool | None = Field(None, description=MATCH_DOC)


class LinePatchIn(LineIn):
    """A line of a revision; ``id`` names the current line it revises (without ids, by position)."""

    id: UUID | None = None

    def to_domain(self) -> LineInput:
        return replace(super().to_domain(), line_id=self.id)


class PurchaseOrderPatch(BaseModel):
    """The buyer's changes; ``lines``, when given, replace all lines (a sent order: while nothing is invoiced)."""

    model_config = ConfigDict(extra="forbid")

    delivery_date: date | None = None
    delivery_address: str | None = Field(
        None, description="as on creation; null leaves it, an empty one clears it (the buyer's address)"
    )
    lines: list[LinePatchIn] | None = Field(None, min_length=1, max_length=500)
    match_against_receipts: bool | None = Field(
        None, description="while the order is a draft or open; null leaves it (a sent order: told to the supplier)"
    )


class LineOut(BaseModel):
    id: UUID
    line_no: int
    sku: str | None
    description: str
    unit: str | None
    quantity: DecimalStr
    unit_price: DecimalStr
    net_amount: DecimalStr
    tax_rate: DecimalStr
    tax_amount: DecimalStr
    invoiced_quantity: DecimalStr
    remaining_quantity: DecimalStr
    received_quantity: DecimalStr = Field(description="the sum of the line's goods receipts not reversed")

    @classmethod
    def of(cls, line: PurchaseOrderLine) -> LineOut:
        return made_of(cls, line)


class PurchaseOrderOut(BaseModel):
    id: UUID
    number: str
    status: str
    tenant_id: UUID
    supplier_id: UUID
    supplier_name: str
    buyer_name: str | None
    currency: str
    delivery_date: date | None
    delivery_address: str | None = Field(None, description=DELIVERY_ADDRESS_DOC)
    buyer: PartyDetails | None = Field(
        None, description="the buyer organisation's legal details and contact; null until orders knows them"
    )
    supplier: PartyDetails | None = Field(None, description="the supplier's legal details (no contact)")
    initiator_id: UUID
    initiator_name: str | None = Field(None, description="null until orders knows the initiator")
    initiator_email: str | None = None
    payment_terms_days: int | None = Field(None, description=PAYMENT_TERMS_DOC)
    net_total: DecimalStr
    tax_total: DecimalStr
    gross_total: DecimalStr = Field(description="net_total + tax_total")
    lines: list[LineOut]
    warnings: list[TermsWarning]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    acknowledged_at: datetime | None
    source_rfp_id: UUID | None = None
    revision: int
    acknowledged_revision: int | None = Field(
        None, description="the revision the supplier's latest acknowledgement made; null until acknowledged"
    )
    change_unacknowledged: bool = Field(
        False,
        description="the buyer changed the order since the supplier acknowledged it: "
        "POST /acknowledge acknowledges the change",
    )
    match_against_receipts: bool = Field(False, description=MATCH_DOC)

    @classmethod
    def of(cls, order: PurchaseOrder) -> PurchaseOrderOut:
        return made_of(cls, order, lines=[LineOut.of(line) for line in order.lines], warnings=list(order.warnings))


class PurchaseOrderPage(BaseModel):
    items: list[PurchaseOrderOut]
    next_cursor: str | None = None


class PurchaseOrderSummary(BaseModel):
    unprocessed_orders: int
    open_orders: int
    orders_by_status: dict[PurchaseOrderStatus, int] = Field(
        default_factory=dict, description="every status, 0 when there are none (a supplier sees no drafts)"
    )
