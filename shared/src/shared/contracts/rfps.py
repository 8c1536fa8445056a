"""Events of ``orders.rfp.v1``: requests for proposals and the proposals answering them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import DecimalStr, EventPayload

RFPS_TOPIC = "orders.rfp.v1"

RfpStatus = Literal["draft", "published", "closed", "awarded", "canceled"]
ProposalStatus = Literal["draft", "submitted", "rejected", "awarded", "lost"]


class RfpLineState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    rfp_line_id: UUID
    line_no: int
    description: str
    quantity: DecimalStr
    unit: str | None = None


class RfpSnapshot(EventPayload):
    topic = RFPS_TOPIC

    rfp_id: UUID
    tenant_id: UUID
    number: str
    title: str
    due_date: datetime
    currency: str | None = None
    status: RfpStatus
    lines: list[RfpLineState]
    supplier_ids: list[UUID]
    created_by: UUID
    published_at: datetime | None = None
    awarded_proposal_id: UUID | None = None
    awarded_supplier_id: UUID | None = None
    purchase_order_id: UUID | None = None
    revision: int

    def key(self) -> str:
        return str(self.rfp_id)


class RfpPublished(RfpSnapshot):
    """Invited suppliers may now answer; each is told by email."""

    event_type = "RfpPublished"


class RfpClosed(RfpSnapshot):
    """The due date passed: proposals can no longer be submitted or changed."""

    event_type = "RfpClosed"


class RfpAwarded(RfpSnapshot):
    """One proposal won; ``participant_ids`` are the suppliers that answered, told the outcome."""

    event_type = "RfpAwarded"
    participant_ids: list[UUID]


class ProposalLineState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    rfp_line_id: UUID
    unit_price: DecimalStr | None  # None: the supplier does not offer this line


class ProposalSubmitted(EventPayload):
    topic = RFPS_TOPIC
    event_type = "ProposalSubmitted"

    proposal_id: UUID
    rfp_id: UUID
    tenant_id: UUID
    supplier_id: UUID
    status: ProposalStatus
    lines: list[ProposalLineState]
    total: DecimalStr | None
    submitted_at: datetime

    def key(self) -> str:
        return str(self.rfp_id)


RFP_EVENTS: tuple[type[EventPayload], ...] = (RfpPublished, RfpClosed, RfpAwarded, ProposalSubmitted)
