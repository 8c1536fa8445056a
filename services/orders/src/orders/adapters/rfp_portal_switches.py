"""The buyer organisations' supplier-portal switch, kept from ``gateway.organisation.v1`` snapshots."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters.rfp_tables import rfp_portal_switches


class PortalSwitches:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, tenant_id: UUID, *, enabled: bool, revision: int) -> bool:
        """Keep the snapshot if it is newer than the stored one; returns whether it was."""
        statement = insert(rfp_portal_switches).values(
            tenant_id=tenant_id, supplier_portal_enabled=enabled, revision=revision
        )
        newer_only = statement.on_conflict_do_update(
            index_elements=[rfp_portal_switches.c.tenant_id],
            set_={"supplier_portal_enabled": enabled, "revision": revision},
            where=rfp_portal_switches.c.revision < statement.excluded.revision,
        ).returning(rfp_portal_switches.c.tenant_id)
        return (await self._session.execute(newer_only)).first() is not None
