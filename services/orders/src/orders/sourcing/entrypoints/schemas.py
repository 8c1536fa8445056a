"""Request and response bodies of the RFP API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from orders.entrypoints.schemas import plain_decimal
from orders.sourcing.domain.comparison import Comparison
from orders.sourcing.domain.lines import RfpLineInput
from orders.sourcing.entrypoints.proposal_schemas import ProposalOut
from orders.sourcing.service.queries import RfpView
from shared.contracts.base import DecimalStr
from shared.fields import made_of
from shared.text_input import OneLine

RfpStatusFilter = Literal["draft", "published", "closed", "awarded", "canceled"]


def _utc(value: datetime) -> datetime:
    """Times are UTC; a due date given without a zone is read as UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class RfpLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    unit: Annotated[str, OneLine] | None = Field(None, max_length=30)

    @field_validator("quantity")
    @classmethod
    def _plain_quantity(cls, value: Decimal) -> Decimal:
        return plain_decimal(value)

    def to_domain(self) -> RfpLineInput:
        return RfpLineInput(description=self.description, quantity=self.quantity, unit=self.unit)


class RfpCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, OneLine] = Field(min_length=1, max_length=300)
    due_date: UtcDateTime = Field(description="until when suppliers answer; must be in the future")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", examples=["EUR"])
    lines: list[RfpLineIn] = Field(min_length=1, max_length=500)
    supplier_ids: list[UUID] = Field(min_length=1, max_length=200)


class RfpPatch(BaseModel):
    """A draft's changes; ``lines`` and ``supplier_ids``, when given, replace the old ones."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, OneLine] | None = Field(None, min_length=1, max_length=300)
    due_date: UtcDateTime | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="null removes the currency")
    lines: list[RfpLineIn] | None = Field(None, min_length=1, max_length=500)
    supplier_ids: list[UUID] | None = Field(None, min_length=1, max_length=200)


class AwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    proposal_id: UUID


class RfpLineOut(BaseModel):
    id: UUID
    line_no: int
    description: str
    quantity: DecimalStr
    unit: str | None


class RfpOut(BaseModel):
    id: UUID
    number: str
    title: str
    status: str
    due_date: datetime
    currency: str | None
    lines: list[RfpLineOut]
    supplier_ids: list[UUID] = Field(description="invited suppliers (a supplier sees only its own records)")
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    awarded_at: datetime | None
    awarded_proposal_id: UUID | None
    awarded_supplier_id: UUID | None
    purchase_order_id: UUID | None
    revision: int
    proposal: ProposalOut | None = Field(
        None, description="a supplier's own proposal (in the list too); null for a buyer and before any answer"
    )

    @classmethod
    def of(cls, view: RfpView) -> RfpOut:
        rfp, caller = view.rfp, view.caller
        supplier_ids = list(rfp.supplier_ids)
        awarded_proposal_id, awarded_supplier_id, purchase_order_id = (
            rfp.awarded_proposal_id,
            rfp.awarded_supplier_id,
            rfp.purchase_order_id,
        )
        if not caller.is_buyer:
            # A supplier learns neither its competitors nor who won, unless it won itself.
            supplier_ids = [s for s in supplier_ids if s in caller.supplier_ids]
            if awarded_supplier_id not in caller.supplier_ids:
                awarded_proposal_id = awarded_supplier_id = None
            purchase_order_id = None
        return made_of(
            cls,
            rfp,
            status=rfp.effective_status(view.seen_at),
            lines=[RfpLineOut(**vars(line)) for line in rfp.lines],
            supplier_ids=supplier_ids,
            awarded_proposal_id=awarded_proposal_id,
            awarded_supplier_id=awarded_supplier_id,
            purchase_order_id=purchase_order_id,
            proposal=ProposalOut.of(view.proposal) if view.proposal else None,
        )


class RfpPage(BaseModel):
    items: list[RfpOut]
    next_cursor: str | None = None


class RfpSummary(BaseModel):
    open_rfps: int


class AwardOut(BaseModel):
    purchase_order_id: UUID
    rfp_id: UUID
    proposal_id: UUID


class OfferOut(BaseModel):
    supplier_id: UUID
    proposal_id: UUID
    unit_price: DecimalStr | None
    line_total: DecimalStr | None


class LineOffersOut(BaseModel):
    rfp_line_id: UUID
    line_no: int
    description: str
    quantity: DecimalStr
    unit: str | None
    offers: list[OfferOut]


class ProposalSummaryOut(BaseModel):
    proposal_id: UUID
    supplier_id: UUID
    status: str
    currency: str
    total: DecimalStr | None
    submitted_at: datetime | None


class ComparisonOut(BaseModel):
    """Every visible proposal side by side, per RFP line."""

    lines: list[LineOffersOut]
    proposals: list[ProposalSummaryOut]

    @classmethod
    def of(cls, comparison: Comparison) -> ComparisonOut:
        return cls(
            lines=[
                made_of(LineOffersOut, line, offers=[OfferOut(**vars(offer)) for offer in line.offers])
                for line in comparison.lines
            ],
            proposals=[ProposalSummaryOut(**vars(p)) for p in comparison.proposals],
        )
