"""Events of ``matching.verdict.v1``: the verdict on one submission of an invoice, keyed by its PO."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import DecimalStr, EventPayload

VERDICTS_TOPIC = "matching.verdict.v1"

Outcome = Literal["auto_approved", "needs_approval"]
Reason = Literal[
    "new_items",
    "over_tolerance",
    "order_not_open",
    "credit_exceeds_invoice",
    "price_changed",
    "quantity_exceeded",
    "tax_rate_changed",
    "not_received",
    "possible_duplicate",
]

# What each reason says, in the words a supplier and a buyer read (pages and emails).
REASON_WORDS: dict[str, str] = {
    "new_items": "It bills items that were not ordered.",
    "over_tolerance": "Its total is above what remains of the order, beyond the buyer's tolerance.",
    "order_not_open": "The order was canceled or closed before the invoice was checked.",
    "price_changed": "A unit price differs from the order's (the buyer matches every price change).",
    "quantity_exceeded": "A quantity is above what remains to invoice of its order line.",
    "tax_rate_changed": "A tax rate differs from the order line's.",
    "not_received": "More is invoiced than the goods receipts say has arrived.",
    "possible_duplicate": "It may duplicate another invoice: the same number, or the same total and date.",
    "credit_exceeds_invoice": "It credits more than is left of the invoice it refers to, or at a higher price.",
}


class VerdictLine(BaseModel):
    """One row of the line report: a PO line, or a new line that refers to no PO line."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    purchase_order_line_id: UUID | None
    invoice_line_id: UUID | None
    description: str
    ordered_quantity: DecimalStr | None
    ordered_unit_price: DecimalStr | None
    previously_invoiced_quantity: DecimalStr
    invoiced_quantity: DecimalStr
    invoiced_unit_price: DecimalStr | None
    quantity_changed: bool
    price_changed: bool
    new_item: bool
    not_invoiced: bool
    # An invoice line's tax rate differs from its PO line's (False in verdicts issued before taxes).
    tax_rate_changed: bool = False
    # The PO line's and this invoice's tax rates (null on a verdict issued before taxes, and on
    # the side a line does not have).
    ordered_tax_rate: DecimalStr | None = None
    invoiced_tax_rate: DecimalStr | None = None
    # What the goods receipts say arrived of the PO line when the verdict was issued; null where
    # the PO does not match against receipts, and on a new line.
    received_quantity: DecimalStr | None = None


class PossibleDuplicate(BaseModel):
    """A live invoice this one may duplicate (MATCHING.md, ``possible_duplicate``)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    invoice_id: UUID
    number: str
    purchase_order_id: UUID
    # ``number``: the same number once case, spaces and punctuation are ignored (same supplier);
    # ``gross_total_and_issue_date``: the same PO, gross total and issue date.
    same: Literal["number", "gross_total_and_issue_date"]


class VerdictFigures(BaseModel):
    """What a verdict says and the numbers and line report it rests on, as the event carries them
    and the services show them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    verdict_id: UUID
    submission: int
    outcome: Outcome
    reasons: list[Reason]
    currency: str
    tolerance_rate: DecimalStr
    tolerance_limit: DecimalStr
    # The tolerance amount the limit was decided on (null: none; the rate alone set the limit).
    tolerance_amount: DecimalStr | None = None
    po_net_total: DecimalStr
    open_net: DecimalStr
    invoice_net_total: DecimalStr
    excess: DecimalStr
    lines: list[VerdictLine]
    issued_at: datetime
    possible_duplicates: list[PossibleDuplicate] = []
    # A verdict of the same submission matched again on a goods receipt: the verdict it replaces
    # (held only for ``not_received``). Null on a submission's first verdict.
    rematch_of: UUID | None = None


class MatchingVerdictIssued(VerdictFigures, EventPayload):
    topic = VERDICTS_TOPIC
    event_type = "MatchingVerdictIssued"

    tenant_id: UUID
    invoice_id: UUID
    purchase_order_id: UUID

    def key(self) -> str:
        return str(self.purchase_order_id)


VERDICT_EVENTS: tuple[type[EventPayload], ...] = (MatchingVerdictIssued,)
