"""Response bodies of the matching API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from shared.contracts.base import DecimalStr
from shared.contracts.matching import MatchingVerdictIssued, Outcome, Reason, VerdictLine


class VerdictOut(BaseModel):
    """A verdict with the numbers it was decided on and its line report."""

    verdict_id: UUID
    invoice_id: UUID
    purchase_order_id: UUID
    submission: int
    outcome: Outcome
    reasons: list[Reason]
    currency: str
    tolerance_rate: DecimalStr
    tolerance_limit: DecimalStr
    po_net_total: DecimalStr
    open_net: DecimalStr
    invoice_net_total: DecimalStr
    excess: DecimalStr
    lines: list[VerdictLine]
    issued_at: datetime

    @classmethod
    def of(cls, verdict: MatchingVerdictIssued) -> VerdictOut:
        return cls.model_validate(verdict.model_dump())
