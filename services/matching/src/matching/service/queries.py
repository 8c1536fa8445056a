"""Use cases of the matching service that only read: the latest verdict on an invoice."""

from __future__ import annotations

from uuid import UUID

from matching.domain.errors import VerdictNotFound
from matching.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.contracts.matching import MatchingVerdictIssued


async def latest_verdict(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> MatchingVerdictIssued:
    tenant_id = caller.require_buyer()
    async with uow:
        verdict = await uow.verdicts.latest(invoice_id, tenant_id=tenant_id)
    if verdict is None:
        raise VerdictNotFound()
    return verdict
