"""Request and response bodies of a supplier's proposal and of the files attached to it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from orders.entrypoints.schemas import plain_decimal
from orders.sourcing.domain.proposal import Proposal, ProposalLineInput
from shared.contracts.base import DecimalStr
from shared.fields import made_of


class ProposalLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rfp_line_id: UUID
    unit_price: Decimal | None = Field(ge=0, max_digits=18, decimal_places=6, description="null declines the line")

    @field_validator("unit_price")
    @classmethod
    def _plain_price(cls, value: Decimal | None) -> Decimal | None:
        return None if value is None else plain_decimal(value)

    def to_domain(self) -> ProposalLineInput:
        return ProposalLineInput(rfp_line_id=self.rfp_line_id, unit_price=self.unit_price)


class ProposalPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[ProposalLineIn] = Field(min_length=1, max_length=500)
    comment: str | None = Field(None, max_length=5000)


class ProposalLineOut(BaseModel):
    rfp_line_id: UUID
    unit_price: DecimalStr | None
    line_total: DecimalStr | None


class ProposalOut(BaseModel):
    id: UUID
    rfp_id: UUID
    supplier_id: UUID
    status: str
    currency: str
    lines: list[ProposalLineOut]
    comment: str | None
    total: DecimalStr | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    revision: int

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalOut:
        return made_of(cls, proposal, lines=[ProposalLineOut(**vars(line)) for line in proposal.lines])
