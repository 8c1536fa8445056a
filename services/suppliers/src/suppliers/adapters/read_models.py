"""The buyer organisations' supplier portal switch: whole-state upserts from the gateway's
events (only a newer revision replaces a row), read by the portal activation."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import store_if_newer
from suppliers.adapters.tables import organisations
from suppliers.domain.read_models import OrganisationSettings

# FOR SHARE: an activation holds the switch it decided by until it commits, so a switch-off
# arriving meanwhile is stored after it, never beside it.
_SETTINGS_FOR_SHARE = (
    select(organisations).where(organisations.c.tenant_id == bindparam("tenant_id")).with_for_update(read=True)
)


class OrganisationDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, settings: OrganisationSettings) -> bool:
        """Keep the snapshot unless a newer one is stored; True when it was stored."""
        values = {
            "tenant_id": settings.tenant_id,
            "supplier_portal_enabled": settings.supplier_portal_enabled,
            "revision": settings.revision,
        }
        return await store_if_newer(self._session, organisations, values, key="tenant_id")

    async def settings_of(self, tenant_id: UUID) -> OrganisationSettings:
        """The tenant's switch; the gateway's default (on) until its first event arrives."""
        row = (await self._session.execute(_SETTINGS_FOR_SHARE, {"tenant_id": tenant_id})).first()
        if row is None:
            return OrganisationSettings.unknown(tenant_id)
        return OrganisationSettings(row.tenant_id, row.supplier_portal_enabled, row.revision)
