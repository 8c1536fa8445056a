"""A supplier's proposal answering an RFP: a price per RFP line, or none (the line is declined).

Every line of the RFP is answered exactly once. Writing the answer makes it a draft again (the
buyer sees only submitted answers); submitting makes it ``submitted``, or ``rejected`` when every
line is declined. Both are possible only while the RFP takes proposals (published, before its due
date). Amounts use the RFP's currency, or the supplier's when the RFP names none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

from orders.sourcing.domain.errors import InvalidProposal, ProposalStateConflict
from orders.sourcing.domain.rfp import Rfp
from shared.contracts.base import EventPayload
from shared.contracts.rfps import ProposalLineState, ProposalSubmitted
from shared.fields import made_of
from shared.money import line_net, round_money

# Statuses the buyer sees: a draft is the supplier's private work.
ANSWERED = ("submitted", "rejected", "awarded", "lost")
CHANGEABLE = ("draft", "submitted", "rejected")


@dataclass(frozen=True)
class ProposalLineInput:
    rfp_line_id: UUID
    unit_price: Decimal | None


@dataclass(frozen=True)
class ProposalLine:
    rfp_line_id: UUID
    unit_price: Decimal | None  # None: the supplier does not offer this line
    line_total: Decimal | None


def _invalid(field_name: str, message: str) -> InvalidProposal:
    return InvalidProposal(f"{field_name}: {message}", errors=[{"field": field_name, "message": message}])


def price_answer(rfp: Rfp, answers: Sequence[ProposalLineInput], currency: str) -> list[ProposalLine]:
    """The answer in the RFP's line order, each line priced; every RFP line exactly once."""
    by_line: dict[UUID, ProposalLineInput] = {}
    for index, answer in enumerate(answers):
        if rfp.line(answer.rfp_line_id) is None:
            raise _invalid(f"lines.{index}.rfp_line_id", "not a line of this RFP")
        if answer.rfp_line_id in by_line:
            raise _invalid(f"lines.{index}.rfp_line_id", "this line is answered twice")
        price = answer.unit_price
        if price is not None and (not price.is_finite() or price < 0):
            raise _invalid(f"lines.{index}.unit_price", "unit price must not be negative")
        by_line[answer.rfp_line_id] = answer
    missing = [line.line_no for line in rfp.lines if line.id not in by_line]
    if missing:
        numbers = ", ".join(str(n) for n in missing)
        raise _invalid("lines", f"answer every line of the RFP (null declines one); missing line {numbers}")
    priced = []
    for line in rfp.lines:
        price = by_line[line.id].unit_price
        total = None if price is None else line_net(line.quantity, price, currency)
        priced.append(ProposalLine(line.id, price, total))
    return priced


@dataclass
class Proposal:
    id: UUID
    rfp_id: UUID
    tenant_id: UUID
    supplier_id: UUID
    currency: str
    lines: list[ProposalLine]
    created_at: datetime
    updated_at: datetime
    status: str = "draft"
    comment: str | None = None
    submitted_at: datetime | None = None
    revision: int = 1
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def answer(
        cls,
        rfp: Rfp,
        *,
        supplier_id: UUID,
        currency: str,
        lines: Sequence[ProposalLineInput],
        comment: str | None,
        now: datetime,
    ) -> Proposal:
        rfp.ensure_accepts_proposals(now)
        return cls(
            id=uuid4(),
            rfp_id=rfp.id,
            tenant_id=rfp.tenant_id,
            supplier_id=supplier_id,
            currency=currency,
            lines=price_answer(rfp, lines, currency),
            comment=comment,
            created_at=now,
            updated_at=now,
        )

    @property
    def total(self) -> Decimal | None:
        """The sum of the offered lines; None when nothing is offered."""
        offered = [line.line_total for line in self.lines if line.line_total is not None]
        return round_money(sum(offered, Decimal(0)), self.currency) if offered else None

    @property
    def declines_everything(self) -> bool:
        return all(line.unit_price is None for line in self.lines)

    @property
    def shown_to_buyer(self) -> bool:
        return self.status in ANSWERED

    def revise(self, rfp: Rfp, *, lines: Sequence[ProposalLineInput], comment: str | None, now: datetime) -> None:
        """A new answer: it replaces the old one and must be submitted again."""
        rfp.ensure_accepts_proposals(now)
        self.ensure_changeable()
        self.lines = price_answer(rfp, lines, self.currency)
        self.comment = comment
        self.status = "draft"
        self._touch(now)

    def submit(self, rfp: Rfp, now: datetime) -> None:
        rfp.ensure_accepts_proposals(now)
        self.ensure_changeable()
        self.status = "rejected" if self.declines_everything else "submitted"
        self.submitted_at = now
        self._touch(now)
        self.events.append(
            made_of(
                ProposalSubmitted,
                self,
                proposal_id=self.id,
                lines=[ProposalLineState(rfp_line_id=x.rfp_line_id, unit_price=x.unit_price) for x in self.lines],
                submitted_at=now,
            )
        )

    def settle(self, *, won: bool, now: datetime) -> None:
        """The RFP was awarded: a submitted proposal won or lost; others stay as they are."""
        if won:
            if self.status != "submitted":
                raise ProposalStateConflict(f"only a submitted proposal can be awarded; this one is {self.status}")
            self.status = "awarded"
        elif self.status == "submitted":
            self.status = "lost"
        else:
            return
        self._touch(now)

    def ensure_changeable(self) -> None:
        if self.status not in CHANGEABLE:
            raise ProposalStateConflict(f"the proposal is {self.status}; it can no longer change")

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now
