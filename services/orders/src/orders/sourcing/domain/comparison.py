"""The buyer's side-by-side view of the proposals answering one RFP, line by line.

Only proposals the buyer may see take part (drafts are the suppliers' private work). Offers of a
line follow the proposals' order: first submitted first, so the view is stable between calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from orders.sourcing.domain.proposal import Proposal
from orders.sourcing.domain.rfp import Rfp


@dataclass(frozen=True)
class Offer:
    supplier_id: UUID
    proposal_id: UUID
    unit_price: Decimal | None
    line_total: Decimal | None


@dataclass(frozen=True)
class LineOffers:
    rfp_line_id: UUID
    line_no: int
    description: str
    quantity: Decimal
    unit: str | None
    offers: tuple[Offer, ...]


@dataclass(frozen=True)
class ProposalSummary:
    proposal_id: UUID
    supplier_id: UUID
    status: str
    currency: str
    total: Decimal | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Comparison:
    lines: tuple[LineOffers, ...]
    proposals: tuple[ProposalSummary, ...]


def _order(proposal: Proposal) -> tuple[datetime, str]:
    return (proposal.submitted_at or proposal.updated_at, str(proposal.supplier_id))


def compare(rfp: Rfp, proposals: Sequence[Proposal]) -> Comparison:
    shown = sorted((p for p in proposals if p.rfp_id == rfp.id and p.shown_to_buyer), key=_order)
    answers = [{line.rfp_line_id: line for line in p.lines} for p in shown]
    lines = []
    for line in rfp.lines:
        offers = []
        for proposal, answer in zip(shown, answers, strict=True):
            offered = answer.get(line.id)
            offers.append(
                Offer(
                    supplier_id=proposal.supplier_id,
                    proposal_id=proposal.id,
                    unit_price=offered.unit_price if offered else None,
                    line_total=offered.line_total if offered else None,
                )
            )
        lines.append(LineOffers(line.id, line.line_no, line.description, line.quantity, line.unit, tuple(offers)))
    summaries = tuple(
        ProposalSummary(p.id, p.supplier_id, p.status, p.currency, p.total, p.submitted_at) for p in shown
    )
    return Comparison(lines=tuple(lines), proposals=summaries)
