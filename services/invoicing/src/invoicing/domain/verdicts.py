"""Matching's verdict on one submission, as the invoice keeps it: the outcome, the reasons and the
numbers and line report it rests on, shown with the invoice. A value of this service's own, made
from the verdict event where it arrives (``service.handlers``), so that the aggregate does not
change shape with matching's wire contract."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

Outcome = Literal["auto_approved", "needs_approval"]


@dataclass(frozen=True)
class VerdictLine:
    """One row of the line report: a PO line, or a new line that refers to no PO line."""

    purchase_order_line_id: UUID | None
    invoice_line_id: UUID | None
    description: str
    ordered_quantity: Decimal | None
    ordered_unit_price: Decimal | None
    previously_invoiced_quantity: Decimal
    invoiced_quantity: Decimal
    invoiced_unit_price: Decimal | None
    quantity_changed: bool
    price_changed: bool
    new_item: bool
    not_invoiced: bool
    tax_rate_changed: bool = False
    ordered_tax_rate: Decimal | None = None
    invoiced_tax_rate: Decimal | None = None
    received_quantity: Decimal | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    """A live invoice this one may duplicate: the same number, or the same gross total and issue date."""

    invoice_id: UUID
    number: str
    purchase_order_id: UUID
    same: Literal["number", "gross_total_and_issue_date"]


@dataclass(frozen=True)
class Verdict:
    verdict_id: UUID
    submission: int
    outcome: Outcome
    reasons: tuple[str, ...]
    currency: str
    tolerance_rate: Decimal
    tolerance_limit: Decimal
    po_net_total: Decimal
    open_net: Decimal
    invoice_net_total: Decimal
    excess: Decimal
    lines: tuple[VerdictLine, ...]
    issued_at: datetime
    tolerance_amount: Decimal | None = None
    possible_duplicates: tuple[PossibleDuplicate, ...] = ()
    # A re-match on a goods receipt: the verdict of the same submission it replaces.
    rematch_of: UUID | None = None

    @property
    def auto_approved(self) -> bool:
        return self.outcome == "auto_approved"
