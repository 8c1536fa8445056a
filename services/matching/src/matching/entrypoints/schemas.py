"""Response bodies of the matching API."""

from __future__ import annotations

from uuid import UUID

from shared.contracts.matching import MatchingVerdictIssued, VerdictFigures


class VerdictOut(VerdictFigures):
    """A verdict with the numbers it was decided on and its line report."""

    invoice_id: UUID
    purchase_order_id: UUID

    @classmethod
    def of(cls, verdict: MatchingVerdictIssued) -> VerdictOut:
        return cls.model_validate(verdict.model_dump())
