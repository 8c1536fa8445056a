"""Event use cases that keep the read models of other services: purchase orders, supplier
names and buyer organisations, and what the supplier portal switch-off does to drafts.

Each runs inside the unit of work its consumer opened (after the inbox check) and leaves the
commit to it. A snapshot older than the stored one is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from invoicing.domain.read_models import OrganisationSettings, switches_portal_off
from invoicing.service.unit_of_work import UnitOfWork
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.orders import PurchaseOrderSnapshot
from shared.contracts.suppliers import SupplierSnapshot
from shared.fields import made_of

log = structlog.get_logger(__name__)


async def record_purchase_order(uow: UnitOfWork, snapshot: PurchaseOrderSnapshot) -> None:
    stored = await uow.purchase_orders.upsert(snapshot, updated_at=datetime.now(UTC))
    if not stored:
        log.info("older purchase order snapshot ignored", revision=snapshot.revision)


async def record_supplier(uow: UnitOfWork, snapshot: SupplierSnapshot) -> None:
    stored = await uow.suppliers.upsert(snapshot)
    if not stored:
        log.info("older supplier snapshot ignored", revision=snapshot.revision)


async def record_organisation_settings(uow: UnitOfWork, changed: OrganisationSettingsChanged) -> None:
    """Keep the buyer's settings; switching the supplier portal off deletes suppliers' drafts.

    Those drafts were never submitted, so nobody outside heard of them: they go without an
    event. Drafts the buyer's staff wrote stay, and nothing comes back when the portal is on again.
    """
    # FOR UPDATE on the stored row: commands deciding by the switch hold it FOR SHARE, so the
    # deletion waits for a supplier's draft being written and then removes it too.
    before = await uow.organisations.find(changed.tenant_id, for_update=True)
    after = made_of(OrganisationSettings, changed)
    if not await uow.organisations.upsert(after):
        log.info("older organisation settings ignored", revision=changed.revision)
        return
    if switches_portal_off(before, after):
        deleted = await uow.invoices.delete_supplier_drafts(changed.tenant_id)
        log.info("supplier portal switched off; supplier drafts deleted", deleted=deleted)
