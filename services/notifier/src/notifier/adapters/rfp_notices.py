"""Which invited suppliers were already told that an RFP is over for them.

An RFP that closes and is then awarded makes two events; a supplier that did not answer hears
that it is over once, from whichever came first. The record commits with the email it allows.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.adapters.tables import rfp_end_notices


class RfpEndNoticeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def first_time(self, rfp_id: UUID, supplier_id: UUID, now: datetime) -> bool:
        """Record that the supplier is told now; False when it was told before."""
        statement = (
            insert(rfp_end_notices)
            .values(rfp_id=rfp_id, supplier_id=supplier_id, told_at=now)
            .on_conflict_do_nothing()
            .returning(rfp_end_notices.c.rfp_id)
        )
        return (await self._session.execute(statement)).first() is not None
