"""The buyer organisation's supplier portal switch as suppliers knows it (a read model of the
gateway's ``OrganisationSettingsChanged``), and what it forbids here.

While a buyer has switched its supplier portal off, its suppliers keep only what they are owed
(invoicing open orders); no supplier's portal is switched on for it, so the per-supplier toggle
is not offered until the buyer switches the portal on again.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from suppliers.domain.errors import SupplierPortalSwitchedOff


@dataclass(frozen=True)
class OrganisationSettings:
    tenant_id: UUID
    # An organisation not heard of yet behaves like the gateway's default: the portal is on.
    # Refusing activations on a missing event would lock every new buyer out.
    supplier_portal_enabled: bool = True
    revision: int = 0

    @classmethod
    def unknown(cls, tenant_id: UUID) -> OrganisationSettings:
        return cls(tenant_id=tenant_id)


def ensure_may_activate_portals(organisation: OrganisationSettings) -> None:
    """A supplier's portal is activated only while its buyer's supplier portal is on."""
    if not organisation.supplier_portal_enabled:
        raise SupplierPortalSwitchedOff()
