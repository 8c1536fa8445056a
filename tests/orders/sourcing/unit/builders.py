"""Builders of RFPs and proposals in a given state, for the RFP unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from orders.sourcing.domain.lines import RfpLineInput
from orders.sourcing.domain.proposal import Proposal, ProposalLineInput
from orders.sourcing.domain.rfp import Rfp

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
DUE = NOW + timedelta(days=7)


def rfp_line(description: str = "Bolts M8", quantity: str = "10", unit: str | None = "pcs") -> RfpLineInput:
    return RfpLineInput(description=description, quantity=Decimal(quantity), unit=unit)


def draft_rfp(*lines: RfpLineInput, suppliers: int = 2, currency: str | None = "EUR") -> Rfp:
    return Rfp.draft(
        tenant_id=uuid4(),
        number="RFP-000001",
        title="Fasteners for Q3",
        due_date=DUE,
        currency=currency,
        lines=list(lines) or [rfp_line(), rfp_line("Nuts M8", "5", None)],
        supplier_ids=[uuid4() for _ in range(suppliers)],
        created_by=uuid4(),
        now=NOW,
    )


def published_rfp(*lines: RfpLineInput, currency: str | None = "EUR") -> Rfp:
    rfp = draft_rfp(*lines, currency=currency)
    rfp.publish(NOW)
    rfp.events.clear()
    return rfp


def answer(rfp: Rfp, *prices: str | None) -> list[ProposalLineInput]:
    """One answer per RFP line, in order: a price, or None to decline the line."""
    return [
        ProposalLineInput(line.id, None if price is None else Decimal(price))
        for line, price in zip(rfp.lines, prices, strict=True)
    ]


def proposal(
    rfp: Rfp,
    *prices: str | None,
    supplier_id: UUID | None = None,
    submitted: bool = True,
    submitted_at: datetime = NOW,
) -> Proposal:
    made = Proposal.answer(
        rfp,
        supplier_id=supplier_id or rfp.supplier_ids[0],
        currency=rfp.currency or "EUR",
        lines=answer(rfp, *prices),
        comment=None,
        now=NOW,
    )
    if submitted:
        made.submit(rfp, submitted_at)
        made.events.clear()
    return made
