"""Request and response bodies of the invoicing API."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from invoicing.domain.credit_notes import CreditLineDraft
from invoicing.domain.errors import InvalidInvoice
from invoicing.domain.lines import LineDraft
from invoicing.domain.model import Invoice
from shared.auth import Principal
from shared.contracts.base import DecimalStr
from shared.contracts.invoicing import InvoiceKind, InvoiceStatus
from shared.contracts.matching import VerdictFigures
from shared.fields import made_of
from shared.taxes import MAX_TAX_RATE, TAX_RATE_DECIMALS
from shared.text_input import OneLine

# What a supplier never sees of a verdict: the buyer's tolerance settings and the limit they make.
TOLERANCE_FIELDS = ("tolerance_rate", "tolerance_amount", "tolerance_limit")

InvoiceNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), OneLine]
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


class CreditLineIn(BaseModel):
    """A line of a credit note: a line of the credited invoice, how much of it and at what unit price."""

    model_config = ConfigDict(extra="forbid")

    invoice_line_id: UUID = Field(description="the credited invoice's line given back")
    quantity: Quantity
    unit_price: UnitPrice

    def draft(self) -> CreditLineDraft:
        return CreditLineDraft(self.invoice_line_id, self.quantity, self.unit_price)


class InvoiceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: InvoiceKind = "invoice"
    purchase_order_id: UUID | None = Field(
        None, description="required for an invoice; a credit note's is its invoice's"
    )
    credited_invoice_id: UUID | None = Field(None, description="a credit note's invoice (approved, of the same order)")
    number: InvoiceNumber
    issue_date: date | None = None
    lines: list[LineIn | CreditLineIn] | None = Field(
        None,
        max_length=500,
        description="an invoice's PO lines (omit to bill what is left on the PO); a credit note's invoice lines",
    )

    def ensure_consistent(self) -> None:
        """Each kind with what it needs: an invoice its order and PO lines, a credit note its
        invoice and lines of it; refused naming every field at fault."""
        errors: list[dict[str, str]] = []
        what = self.kind.replace("_", " ")
        line_type = CreditLineIn if self.kind == "credit_note" else LineIn
        if self.kind == "credit_note":
            if self.credited_invoice_id is None:
                errors.append({"field": "credited_invoice_id", "message": "a credit note names the invoice it credits"})
            if not self.lines:
                errors.append({"field": "lines", "message": "a credit note names the invoice lines it credits"})
        else:
            if self.purchase_order_id is None:
                errors.append({"field": "purchase_order_id", "message": "an invoice names its purchase order"})
            if self.credited_invoice_id is not None:
                errors.append({"field": "credited_invoice_id", "message": "only a credit note credits an invoice"})
        for index, line in enumerate(self.lines or []):
            if not isinstance(line, line_type):
                wanted = "invoice_line_id" if line_type is CreditLineIn else "purchase_order_line_id"
                errors.append({"field": f"lines.{index}", "message": f"a {what} line names its {wanted}"})
        if errors:
            raise InvalidInvoice(f"the {what} is incomplete", errors=errors)


class InvoicePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: InvoiceNumber | None = None
    issue_date: date | None = None
    lines: list[LineIn | CreditLineIn] | None = Field(
        None, max_length=500, description="an invoice's PO lines, or a credit note's invoice lines"
    )

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
    credited_line_id: UUID | None = Field(None, description="a credit note's line: the invoice line it gives back")


class PaymentOut(BaseModel):
    id: UUID
    amount: DecimalStr
    paid_at: datetime


class MatchingOut(VerdictFigures):
    """The verdict on the current submission, with the numbers and the line report it rests on.
    The buyer's tolerance (rate, amount, limit) is null in a supplier's view."""

    # Widened from the event's (always set there): a response may leave them out.
    tolerance_rate: DecimalStr | None = Field(description="percent; null in a supplier's view")  # type: ignore[assignment]
    tolerance_limit: DecimalStr | None = Field(description="null in a supplier's view")  # type: ignore[assignment]
    tolerance_amount: DecimalStr | None = Field(None, description="null where none was set, and in a supplier's view")

    def seen_by(self, caller: Principal) -> MatchingOut:
        hidden = dict.fromkeys(TOLERANCE_FIELDS) if caller.is_supplier else {}
        return self.model_copy(update=hidden)


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
    credited_total: DecimalStr = Field(description="the gross totals of the invoice's approved credit notes")
    balance_due: DecimalStr = Field(
        description="gross_total less approved credits and payments: what is left to pay (below 0: to refund)"
    )
    kind: InvoiceKind = "invoice"
    credited_invoice_id: UUID | None = Field(None, description="a credit note's invoice")
    created_by_buyer: bool = Field(description="written by the buyer's staff while the supplier portal was off")
    due_date: date | None = Field(
        description="the issue date (or the submission day without one) plus the supplier's payment terms, "
        "set at each submission; null before the first"
    )
    overdue: bool = Field(description="approved or partly paid, and today (UTC) is after the due date")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, invoice: Invoice, caller: Principal) -> InvoiceOut:
        matching = MatchingOut.model_validate(dataclasses.asdict(invoice.matching)) if invoice.matching else None
        return made_of(
            cls,
            invoice,
            overdue=invoice.overdue_on(datetime.now(UTC).date()),
            lines=[made_of(LineOut, line, id=line.line_id) for line in invoice.lines],
            matching=None if matching is None else matching.seen_by(caller),
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
