"""The buyer organisations' supplier-portal switch, kept from ``gateway.organisation.v1`` snapshots."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from orders.sourcing.adapters.tables import rfp_portal_switches
from shared.db import store_if_newer


class PortalSwitches:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, tenant_id: UUID, *, enabled: bool, revision: int) -> bool:
        """Keep the snapshot if it is newer than the stored one; returns whether it was."""
        values = {"tenant_id": tenant_id, "supplier_portal_enabled": enabled, "revision": revision}
        return await store_if_newer(self._session, rfp_portal_switches, values, key="tenant_id")
