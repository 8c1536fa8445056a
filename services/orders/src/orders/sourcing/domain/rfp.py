"""The request for proposals (RFP) aggregate: what the buyer asks for, whom, until when; its status machine.

draft → published (invited suppliers may answer until the due date) → closed (the due date passed)
→ awarded (one submitted proposal won and became a draft purchase order). Plain Python; changes
record whole-state events from ``shared.contracts.rfps``. A draft is the buyer's private work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Literal
from uuid import UUID, uuid4

from orders.sourcing.domain.errors import RfpClosedForProposals, RfpStateConflict
from orders.sourcing.domain.lines import RfpLine, RfpLineInput, invalid_rfp, number_lines
from shared.contracts.base import EventPayload
from shared.contracts.rfps import RfpAwarded, RfpClosed, RfpPublished, RfpSnapshot
from shared.fields import values_of

# Statuses in which the RFP was shown to its invited suppliers.
SHOWN_TO_SUPPLIERS = ("published", "closed", "awarded", "canceled")


class Keep(Enum):
    KEEP = "keep"


KEEP = Keep.KEEP  # "leave as it is", where None is a value (an RFP without a currency)


def format_rfp_number(sequence: int) -> str:
    return f"RFP-{sequence:06d}"


def _future(due_date: datetime, now: datetime) -> datetime:
    if due_date.tzinfo is None:
        raise invalid_rfp("due_date", "the due date needs a time zone")
    if due_date <= now:
        raise invalid_rfp("due_date", "the due date must be in the future")
    return due_date


def _invited(supplier_ids: Sequence[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(supplier_ids))  # invited once each, in the order given
    if not unique:
        raise invalid_rfp("supplier_ids", "invite at least one supplier")
    return unique


@dataclass
class Rfp:
    id: UUID
    tenant_id: UUID
    number: str
    title: str
    due_date: datetime
    currency: str | None
    lines: list[RfpLine]
    supplier_ids: list[UUID]
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    status: str = "draft"
    published_at: datetime | None = None
    closed_at: datetime | None = None
    awarded_at: datetime | None = None
    awarded_proposal_id: UUID | None = None
    awarded_supplier_id: UUID | None = None
    purchase_order_id: UUID | None = None
    revision: int = 1
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def draft(
        cls,
        *,
        tenant_id: UUID,
        number: str,
        title: str,
        due_date: datetime,
        currency: str | None,
        lines: Sequence[RfpLineInput],
        supplier_ids: Sequence[UUID],
        created_by: UUID,
        now: datetime,
    ) -> Rfp:
        if not title.strip():
            raise invalid_rfp("title", "an RFP needs a title")
        return cls(
            id=uuid4(),
            tenant_id=tenant_id,
            number=number,
            title=title.strip(),
            due_date=_future(due_date, now),
            currency=currency,
            lines=number_lines(lines),
            supplier_ids=_invited(supplier_ids),
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )

    def invites(self, supplier_id: UUID) -> bool:
        return supplier_id in self.supplier_ids

    def is_past_due(self, now: datetime) -> bool:
        return now >= self.due_date

    def effective_status(self, now: datetime) -> str:
        """The status as of ``now``: a published RFP past its due date is closed, task or no task."""
        return "closed" if self.status == "published" and self.is_past_due(now) else self.status

    def is_open(self, now: datetime) -> bool:
        return self.effective_status(now) == "published"

    def line(self, line_id: UUID) -> RfpLine | None:
        return next((line for line in self.lines if line.id == line_id), None)

    def revise(
        self,
        *,
        now: datetime,
        title: str | None = None,
        due_date: datetime | None = None,
        currency: str | Literal[Keep.KEEP] | None = KEEP,
        lines: Sequence[RfpLineInput] | None = None,
        supplier_ids: Sequence[UUID] | None = None,
    ) -> None:
        self._require("draft", "edited")
        if title is not None:
            if not title.strip():
                raise invalid_rfp("title", "an RFP needs a title")
            self.title = title.strip()
        if due_date is not None:
            self.due_date = _future(due_date, now)
        if currency is not KEEP:
            self.currency = currency
        if lines is not None:
            self.lines = number_lines(lines)
        if supplier_ids is not None:
            self.supplier_ids = _invited(supplier_ids)
        self._touch(now)

    def publish(self, now: datetime) -> None:
        self._require("draft", "published")
        if self.is_past_due(now):
            raise invalid_rfp("due_date", "the due date has passed; move it before publishing")
        self.status = "published"
        self.published_at = now
        self._touch(now)
        self.events.append(RfpPublished(**self._state()))

    def ensure_accepts_proposals(self, now: datetime) -> None:
        if self.status == "awarded":
            raise RfpStateConflict(f"{self.number} was awarded; proposals can no longer change")
        if self.status == "closed" or (self.status == "published" and self.is_past_due(now)):
            raise RfpClosedForProposals(self.due_date)
        if self.status != "published":
            raise RfpStateConflict(f"{self.number} is {self.status}; it does not take proposals")

    def ensure_takes_documents(self, now: datetime) -> None:
        """The buyer adds documents while the suppliers may still act on them: in the draft and
        until the due date; a closed or awarded request stays as the suppliers answered it."""
        if self.status == "draft" or self.is_open(now):
            return
        raise RfpStateConflict(
            f"{self.number} is {self.effective_status(now)}; documents are added while it is a draft "
            "or open for proposals"
        )

    def close_if_due(self, now: datetime) -> bool:
        """Close a published RFP whose due date passed; returns whether it closed."""
        if self.status != "published" or not self.is_past_due(now):
            return False
        self.status = "closed"
        self.closed_at = now
        self._touch(now)
        self.events.append(RfpClosed(**self._state()))
        return True

    def ensure_awardable(self) -> None:
        if self.status == "awarded":
            raise RfpStateConflict(f"{self.number} was already awarded")
        if self.status not in ("published", "closed"):
            raise RfpStateConflict(f"{self.number} is {self.status}; only a published or closed RFP can be awarded")

    def award(
        self,
        *,
        proposal_id: UUID,
        supplier_id: UUID,
        purchase_order_id: UUID,
        participant_ids: Sequence[UUID],
        now: datetime,
    ) -> None:
        self.ensure_awardable()
        self.status = "awarded"
        self.awarded_at = now
        self.awarded_proposal_id = proposal_id
        self.awarded_supplier_id = supplier_id
        self.purchase_order_id = purchase_order_id
        self._touch(now)
        self.events.append(RfpAwarded(**self._state(), participant_ids=list(participant_ids)))

    def _require(self, status: str, action: str) -> None:
        if self.status != status:
            raise RfpStateConflict(f"{self.number} is {self.status}; only a {status} RFP can be {action}")

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now

    def _state(self) -> dict[str, Any]:
        return values_of(
            RfpSnapshot.model_fields,
            self,
            rfp_id=self.id,
            lines=[line.state() for line in self.lines],
            supplier_ids=list(self.supplier_ids),
        )
