"""Effects of consumed events that keep sourcing's copy of other services' data: the buyer
organisations' supplier portal switch, and the draft proposals that leave the portal with it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from orders.sourcing.service.unit_of_work import RfpUnitOfWork


async def switch_supplier_portal(
    uow: RfpUnitOfWork, tenant_id: UUID, *, enabled: bool, revision: int, changed_at: datetime
) -> int:
    """A newer switch-off takes the tenant's draft proposals out of the portal; returns how many.

    Only drafts last changed before the switch go: a draft written after a later switch-on (this
    snapshot being replayed late) belongs to the portal as it is now.
    """
    if not await uow.portal_switches.record(tenant_id, enabled=enabled, revision=revision):
        return 0
    if enabled:
        return 0
    return await uow.proposals.delete_drafts(tenant_id, last_changed_before=changed_at)
