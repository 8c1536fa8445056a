"""Stores the verdicts matching issued: one per (invoice, submission), read back as issued."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.tables import verdicts
from shared.contracts.matching import MatchingVerdictIssued
from shared.fields import values_of


class VerdictRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def exists(self, invoice_id: UUID, submission: int) -> bool:
        query = select(verdicts.c.id).where(verdicts.c.invoice_id == invoice_id, verdicts.c.submission == submission)
        return (await self._session.execute(query)).first() is not None

    async def add(self, verdict: MatchingVerdictIssued) -> None:
        """Insert the verdict; the unique (invoice_id, submission) key refuses a second one."""
        await self._session.execute(
            verdicts.insert().values(
                values_of(verdicts.c.keys(), verdict, id=verdict.verdict_id, document=verdict.model_dump(mode="json"))
            )
        )

    async def latest(self, invoice_id: UUID, *, tenant_id: UUID) -> MatchingVerdictIssued | None:
        """The verdict on the invoice's latest matched submission, within the tenant."""
        query = (
            select(verdicts.c.document)
            .where(verdicts.c.invoice_id == invoice_id, verdicts.c.tenant_id == tenant_id)
            .order_by(verdicts.c.submission.desc())
            .limit(1)
        )
        document = (await self._session.execute(query)).scalar_one_or_none()
        return None if document is None else MatchingVerdictIssued.model_validate(document)
