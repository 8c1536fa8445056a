"""The buyer organisation's settings as invoicing knows them (a read model of the gateway's
``OrganisationSettingsChanged``), and the one transition that has consequences here."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class OrganisationSettings:
    tenant_id: UUID
    name: str | None = None
    # An organisation not heard of yet behaves like the gateway's defaults: no issue date
    # required, supplier portal on. Refusing suppliers on a missing event would lock them out.
    invoice_issue_date_required: bool = False
    supplier_portal_enabled: bool = True
    revision: int = 0

    @classmethod
    def unknown(cls, tenant_id: UUID) -> OrganisationSettings:
        return cls(tenant_id=tenant_id)


def switches_portal_off(before: OrganisationSettings | None, after: OrganisationSettings) -> bool:
    """True when ``after`` turns the supplier portal off that was on (or unknown, hence on) before.

    Only the transition counts: a repeated "off" must not delete drafts the buyer made meanwhile
    (those are created by the buyer and never deleted anyway, but the rule stays exact).
    """
    was_on = before.supplier_portal_enabled if before is not None else True
    return was_on and not after.supplier_portal_enabled
