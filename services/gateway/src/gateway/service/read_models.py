"""The gateway's copy of the suppliers, kept from their events, and the invitations that a
supplier's portal access and contact address start or end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.domain.model import Invitation, normalise_email
from gateway.service.unit_of_work import UnitOfWork
from shared.contracts.suppliers import SupplierPortalActivated, SupplierSnapshot
from shared.sealed_links import LinkSealer


def _now() -> datetime:
    return datetime.now(UTC)


async def on_supplier_changed(
    uow: UnitOfWork, snapshot: SupplierSnapshot, *, links: LinkSealer, ttl: timedelta
) -> None:
    """Keep the supplier read model; the first portal activation invites the supplier's contact.
    Runs in the unit of work the supplier events' consumer opened and commits."""
    before = await uow.identities.supplier(snapshot.supplier_id)
    newer = await uow.identities.upsert_supplier(snapshot)
    if newer:
        uow.standing_changes()
    if newer and snapshot.portal_status != "active":
        # The end of the portal access voids every pending invitation to the record.
        await uow.accounts.void_invitations(snapshot.supplier_id, _now())
    elif newer and before is not None and normalise_email(before.email) != normalise_email(snapshot.email):
        # The buyer's invitation to the old address must not let its reader in any more.
        await uow.accounts.void_invitations(
            snapshot.supplier_id, _now(), addressed_to_other_than=normalise_email(snapshot.email), buyers_only=True
        )
    if newer and isinstance(snapshot, SupplierPortalActivated) and snapshot.first_activation:
        invitation = Invitation.issue(
            tenant_id=snapshot.tenant_id,
            supplier_id=snapshot.supplier_id,
            supplier_name=snapshot.name,
            email=snapshot.email,
            links=links,
            now=_now(),
            ttl=ttl,
        )
        await uow.identities.add_invitation(invitation)
        uow.publish(invitation)
