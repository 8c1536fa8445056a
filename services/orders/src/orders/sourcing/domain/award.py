"""Awarding an RFP: the winning proposal becomes the lines of a draft purchase order.

The purchase order takes the RFP lines the winner priced, with the RFP's quantity and unit and
the winner's unit price; declined lines are left out. The RFP becomes ``awarded``, the winner
``awarded``, every other submitted proposal ``lost``; the suppliers that answered are told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from orders.domain.lines import LineInput
from orders.sourcing.domain.errors import ProposalNotFound, ProposalStateConflict
from orders.sourcing.domain.proposal import Proposal
from orders.sourcing.domain.rfp import Rfp


def check_award(rfp: Rfp, winner: Proposal) -> None:
    """Refuse before anything is built: a finished RFP, or a proposal that cannot win."""
    if winner.rfp_id != rfp.id or not winner.shown_to_buyer:
        raise ProposalNotFound()
    rfp.ensure_awardable()
    if winner.status != "submitted":
        raise ProposalStateConflict(f"only a submitted proposal can be awarded; this one is {winner.status}")


def purchase_order_lines(rfp: Rfp, winner: Proposal) -> list[LineInput]:
    prices = {line.rfp_line_id: line.unit_price for line in winner.lines}
    lines = []
    for line in rfp.lines:
        price = prices.get(line.id)
        if price is not None:
            lines.append(
                LineInput(description=line.description, quantity=line.quantity, unit_price=price, unit=line.unit)
            )
    if not lines:
        raise ProposalStateConflict("the proposal offers no line; it cannot become a purchase order")
    return lines


def participants(proposals: Sequence[Proposal]) -> list[UUID]:
    """The suppliers whose answer reached the buyer (a proposal declining everything counts)."""
    return sorted({p.supplier_id for p in proposals if p.shown_to_buyer}, key=str)


def award(rfp: Rfp, winner: Proposal, proposals: Sequence[Proposal], *, purchase_order_id: UUID, now: datetime) -> None:
    """Settle every proposal of the RFP and award it; ``proposals`` includes the winner."""
    check_award(rfp, winner)
    for proposal in proposals:
        proposal.settle(won=proposal.id == winner.id, now=now)
    rfp.award(
        proposal_id=winner.id,
        supplier_id=winner.supplier_id,
        purchase_order_id=purchase_order_id,
        participant_ids=participants(proposals),
        now=now,
    )
