"""Read models of who is who: supplier names (suppliers service) and buyer organisations with
their settings (gateway). Upserts of whole-state snapshots; only a newer revision replaces a row."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row, ScalarSelect, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.tables import organisations, suppliers
from invoicing.domain.organisations import OrganisationSettings
from shared.db import store_if_newer


def _settings(row: Row) -> OrganisationSettings:
    return OrganisationSettings(
        tenant_id=row.id,
        name=row.name,
        invoice_issue_date_required=row.invoice_issue_date_required,
        supplier_portal_enabled=row.supplier_portal_enabled,
        revision=row.revision,
    )


def known_supplier_name(supplier_id: Any, tenant_id: Any) -> ScalarSelect[str]:
    """The supplier's name as the directory knows it, NULL until it does: a column of the
    statements that load, save and list invoices, so each answer names its supplier."""
    return (
        select(suppliers.c.name)
        .where(suppliers.c.id == supplier_id, suppliers.c.tenant_id == tenant_id)
        .scalar_subquery()
    )


class SupplierDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, *, supplier_id: UUID, tenant_id: UUID, name: str, revision: int) -> bool:
        values = {"id": supplier_id, "tenant_id": tenant_id, "name": name, "revision": revision}
        return await store_if_newer(self._session, suppliers, values)


# Read by every invoice command: built once, the tenant bound at execution.
_SETTINGS_FOR_SHARE = (
    select(organisations).where(organisations.c.id == bindparam("tenant_id")).with_for_update(read=True)
)


class OrganisationDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, tenant_id: UUID, *, for_update: bool = False) -> OrganisationSettings | None:
        query = select(organisations).where(organisations.c.id == tenant_id)
        row = (await self._session.execute(query.with_for_update() if for_update else query)).first()
        return _settings(row) if row is not None else None

    async def settings_of(self, tenant_id: UUID) -> OrganisationSettings:
        """The tenant's settings, the defaults when unknown.

        FOR SHARE: a command deciding by the portal switch holds the row until it commits, so
        the switch-off (which deletes supplier drafts) waits for it and then sees its draft;
        a command after the switch-off reads the committed "off".
        """
        row = (await self._session.execute(_SETTINGS_FOR_SHARE, {"tenant_id": tenant_id})).first()
        return _settings(row) if row is not None else OrganisationSettings.unknown(tenant_id)

    async def upsert(self, settings: OrganisationSettings) -> bool:
        values = {
            "id": settings.tenant_id,
            "name": settings.name or "",
            "invoice_issue_date_required": settings.invoice_issue_date_required,
            "supplier_portal_enabled": settings.supplier_portal_enabled,
            "revision": settings.revision,
        }
        return await store_if_newer(self._session, organisations, values)
