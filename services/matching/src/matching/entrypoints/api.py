"""HTTP API of the matching service: the verdicts it issued, for buyer staff of the tenant."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from matching.entrypoints.deps import Uow
from matching.entrypoints.schemas import VerdictOut
from matching.service import queries
from shared.runtime import CurrentPrincipal

router = APIRouter(prefix="/api/v1/matching", tags=["matching"])


@router.get("/verdicts/{invoice_id}", response_model=VerdictOut)
async def get_verdict(invoice_id: UUID, caller: CurrentPrincipal, uow: Uow) -> VerdictOut:
    """The verdict on the invoice's latest submission; 404 when there is none in the caller's tenant."""
    return VerdictOut.of(await queries.latest_verdict(uow, caller, invoice_id))
