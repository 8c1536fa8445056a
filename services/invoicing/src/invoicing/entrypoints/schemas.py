"""Request and response bodies of the invoicing API."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from invoicing.domain.lines import LineDraft
from invoicing.domain.model import Invoice
from shared.contracts.base import DecimalStr
from shared.contracts.invoicing import InvoiceStatus
from shared.contracts.matching import VerdictFigures
from shared.fields import made_of
from shared.taxes import MAX_TAX_RATE, TAX_RATE_DECIMALS

InvoiceNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=20, decimal_places=6)]
UnitPrice = Annotated[Decimal, Field(ge=0, max_digits=20, decimal_places=6)]
TaxRate = Annotated[
    Decimal,
    Field(ge=0, le=MAX_TAX_RATE, max_digits=8, decimal_places=TAX_RATE_DECIMALS, description="percent, 0 allowed"),
]


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purchase_order_line_id: UUID | None = Field(description="the PO line billed; null marks a new item")
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        None, description="defaults to the PO line's description"
    )
    quantity: Quantity
    unit_price: UnitPrice
    tax_rate: TaxRate | None = Field(None, description="omitted: the PO line's rate (a new item: 0)")

    def draft(self) -> LineDraft:
        return LineDraft(
            self.purchase_order_line_id, self.quantity, self.unit_price, self.description or None, self.tax_rate
        )


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purchase_order_id: UUID
    number: InvoiceNumber
    issue_date: date | None = None
    lines: list[LineIn] | None = Field(None, max_length=500, description="omit to bill what is left on the PO")


class InvoicePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: InvoiceNumber | None = None
    issue_date: date | None = None
    lines: list[LineIn] | None = Field(None, max_length=500)

    def changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {name: getattr(self, name) for name in self.model_fields_set}
        for required in ("number", "lines"):  # null would mean "no change"; issue_date null clears it
            if changes.get(required, 0) is None:
                del changes[required]
        if "lines" in changes:
            changes["lines"] = [line.draft() for line in self.lines or []]
        return changes


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Decimal, Field(gt=0, max_digits=20)]


class LineOut(BaseModel):
    id: UUID
    line_no: int
    purchase_order_line_id: UUID | None
    description: str
    quantity: DecimalStr
    unit_price: DecimalStr
    net_amount: DecimalStr
    tax_rate: DecimalStr
    tax_amount: DecimalStr


class PaymentOut(BaseModel):
    id: UUID
    amount: DecimalStr
    paid_at: datetime


class MatchingOut(VerdictFigures):
    """The verdict on the current submission, with the numbers and the line report it rests on."""


class InvoiceOut(BaseModel):
    id: UUID
    tenant_id: UUID
    number: str
    status: InvoiceStatus
    purchase_order_id: UUID
    purchase_order_number: str
    supplier_id: UUID
    supplier_name: str | None = Field(description="the supplier's name as last known; null until known")
    currency: str
    issue_date: date | None
    net_total: DecimalStr
    tax_total: DecimalStr
    gross_total: DecimalStr = Field(description="net_total + tax_total: what payments go up to")
    lines: list[LineOut]
    submission: int
    submitted_at: datetime | None
    matching: MatchingOut | None
    approver_id: UUID | None
    rejection_reason: str | None
    payments: list[PaymentOut]
    paid_total: DecimalStr
    balance_due: DecimalStr = Field(description="gross_total less the payments: what is left to pay")
    created_by_buyer: bool = Field(description="written by the buyer's staff while the supplier portal was off")
    due_date: date | None = Field(
        description="the issue date (or the submission day without one) plus the supplier's payment terms, "
        "set at each submission; null before the first"
    )
    overdue: bool = Field(description="approved or partly paid, and today (UTC) is after the due date")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceOut:
        return made_of(
            cls,
            invoice,
            overdue=invoice.overdue_on(datetime.now(UTC).date()),
            lines=[made_of(LineOut, line, id=line.line_id) for line in invoice.lines],
            matching=MatchingOut.model_validate(dataclasses.asdict(invoice.matching)) if invoice.matching else None,
            payments=[made_of(PaymentOut, p, id=p.payment_id) for p in invoice.payments],
        )


class InvoicePage(BaseModel):
    items: list[InvoiceOut]
    next_cursor: str | None = None


class InvoiceSummary(BaseModel):
    invoices_by_status: dict[InvoiceStatus, int] = Field(description="every status, 0 when there are none")
    waiting_for_me: int = Field(
        0, description="pending invoices routed to the caller for a decision (always 0 for a supplier)"
    )
