"""What matching decides: the verdict on one submission of an invoice, with its line report.

Plain Python and ``Decimal``; ``issue`` turns a verdict into the event that publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from shared.contracts.matching import MatchingVerdictIssued, Reason
from shared.fields import made_of

Outcome = Literal["auto_approved", "needs_approval"]


@dataclass(frozen=True)
class LineReport:
    """One row of the line report: a PO line, or an invoice line that refers to no PO line."""

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


@dataclass(frozen=True)
class Verdict:
    invoice_id: UUID
    purchase_order_id: UUID
    submission: int
    currency: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    tolerance_rate: Decimal
    tolerance_limit: Decimal
    po_net_total: Decimal
    open_net: Decimal
    invoice_net_total: Decimal
    excess: Decimal
    lines: tuple[LineReport, ...]

    @property
    def needs_approval(self) -> bool:
        return self.outcome == "needs_approval"

    def issue(self, *, verdict_id: UUID, tenant_id: UUID, issued_at: datetime) -> MatchingVerdictIssued:
        """The event that publishes this verdict."""
        return made_of(
            MatchingVerdictIssued,
            self,
            verdict_id=verdict_id,
            tenant_id=tenant_id,
            reasons=list(self.reasons),
            # Validated as a list in one go, far quicker than one model construction per line.
            lines=[vars(line) for line in self.lines],
            issued_at=issued_at,
        )
