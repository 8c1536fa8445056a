"""What matching decides: the verdict on one submission of an invoice, with its line report.

Plain Python and ``Decimal``; ``issue`` turns a verdict into the event that publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from matching.domain.model import TolerancePolicy
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
    ordered_tax_rate: Decimal | None = None
    invoiced_tax_rate: Decimal | None = None
    # What arrived of the PO line by the goods receipts; None where the PO does not match against
    # receipts, and on a new line.
    received_quantity: Decimal | None = None


@dataclass(frozen=True)
class PossibleDuplicate:
    """A live invoice the matched one may duplicate, and what they share."""

    invoice_id: UUID
    number: str
    purchase_order_id: UUID
    same: Literal["number", "gross_total_and_issue_date"]


@dataclass(frozen=True)
class IssuedVerdict:
    """What a re-match needs of a submission's verdict already issued: its id, its reasons and the
    tolerance it was decided with."""

    verdict_id: UUID
    invoice_id: UUID
    reasons: tuple[Reason, ...]
    tolerance: TolerancePolicy


@dataclass(frozen=True)
class Verdict:
    invoice_id: UUID
    purchase_order_id: UUID
    submission: int
    currency: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    tolerance: TolerancePolicy
    tolerance_limit: Decimal
    po_net_total: Decimal
    open_net: Decimal
    invoice_net_total: Decimal
    excess: Decimal
    lines: tuple[LineReport, ...]
    possible_duplicates: tuple[PossibleDuplicate, ...] = ()
    # A re-match on a goods receipt: the verdict of the same submission it replaces.
    rematch_of: UUID | None = None

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
            # The event's rate is never null: 0 where the amount alone set the limit.
            tolerance_rate=self.tolerance.rate if self.tolerance.rate is not None else Decimal(0),
            tolerance_amount=self.tolerance.amount,
            possible_duplicates=[vars(duplicate) for duplicate in self.possible_duplicates],
            # Validated as a list in one go, far quicker than one model construction per line.
            lines=[vars(line) for line in self.lines],
            issued_at=issued_at,
        )
