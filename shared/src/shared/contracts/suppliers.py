"""Events of ``suppliers.supplier.v1``: a supplier record's whole current state."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import DecimalStr, EventPayload
from shared.contracts.identity import Role

SUPPLIERS_TOPIC = "suppliers.supplier.v1"

PortalStatus = Literal["not_invited", "active", "inactive"]


class SupplierContact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    email: str | None = None
    phone: str | None = None


class TolerancePolicy(BaseModel):
    """The buyer's tolerance for one supplier's invoices (MATCHING.md): a rate (percent of the
    PO's net total) and an amount (in the PO's currency); where both are set the stricter wins.
    Both null: the supplier takes the organisation's defaults."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rate: DecimalStr | None = None
    amount: DecimalStr | None = None


class Actor(BaseModel):
    """Who made the change an event records: a portal user (of the gateway's ``gateway.user.v1``)
    and the role they acted in."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    user_id: UUID
    role: Role


class SupplierSnapshot(EventPayload):
    """Everything a consumer needs to keep a read model of one supplier."""

    topic = SUPPLIERS_TOPIC

    supplier_id: UUID
    tenant_id: UUID
    name: str
    email: str
    phone: str | None = None
    currency: str
    # The supplier's own tolerance rate, 0 where it has none (``tolerance`` tells them apart).
    tolerance_rate: DecimalStr
    contacts: list[SupplierContact] = []
    portal_status: PortalStatus
    custom_fields: dict[str, Any] = {}
    revision: int
    updated_at: datetime
    # The supplier's terms, kept by the supplier in its portal profile.
    minimum_order_amount: DecimalStr | None = None
    lead_time_days: int | None = None
    # The supplier's own view (portal profile), kept in sync with the buyer's record by rule.
    portal_profile: dict[str, Any] | None = None
    # Days from an invoice's issue date to its due date; None: the organisation's default.
    payment_terms_days: int | None = None
    # The supplier as documents name it (the supplier keeps them in its profile, like its phone).
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    # The supplier's tolerance as the buyer set it; absent from events written before tolerance
    # amounts, where ``tolerance_rate`` is the supplier's own.
    tolerance: TolerancePolicy | None = None
    # Who made this change: the buyer's staff (buyer_admin, buyer_user) or a supplier user (the
    # profile). None in events written before it was recorded.
    actor: Actor | None = None

    def key(self) -> str:
        return str(self.supplier_id)


class SupplierCreated(SupplierSnapshot):
    event_type = "SupplierCreated"


class SupplierUpdated(SupplierSnapshot):
    event_type = "SupplierUpdated"


class SupplierPortalActivated(SupplierSnapshot):
    """The portal was switched on; ``first_activation`` asks for an invitation to be sent."""

    event_type = "SupplierPortalActivated"
    first_activation: bool


class SupplierPortalDeactivated(SupplierSnapshot):
    event_type = "SupplierPortalDeactivated"


class SupplierProfileUpdated(SupplierSnapshot):
    """The supplier changed its own portal profile (what flows to the buyer's record is applied)."""

    event_type = "SupplierProfileUpdated"


SUPPLIER_EVENTS: tuple[type[EventPayload], ...] = (
    SupplierCreated,
    SupplierUpdated,
    SupplierPortalActivated,
    SupplierPortalDeactivated,
    SupplierProfileUpdated,
)
