"""The supplier record as the buyer keeps it, and the rules of its portal status.

Plain Python: no database, web or messaging imports. Changes record events in ``events``;
the unit of work writes them to the outbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.contracts.base import EventPayload
from shared.contracts.suppliers import (
    SupplierContact,
    SupplierCreated,
    SupplierPortalActivated,
    SupplierPortalDeactivated,
    SupplierSnapshot,
    SupplierUpdated,
)
from suppliers.domain.errors import InvalidSupplier, PortalStateConflict

_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TOLERANCE_RATE = Decimal(100)


def validate_currency(currency: str) -> str:
    if not _CURRENCY.match(currency):
        raise InvalidSupplier(
            "currency must be an ISO 4217 code",
            errors=[{"field": "currency", "message": "three capital letters, e.g. EUR"}],
        )
    return currency


def validate_tolerance_rate(rate: Decimal) -> Decimal:
    if not rate.is_finite() or rate < 0 or rate > MAX_TOLERANCE_RATE:
        raise InvalidSupplier(
            "tolerance rate must be between 0 and 100 percent",
            errors=[{"field": "tolerance_rate", "message": "a percentage from 0 to 100"}],
        )
    return rate


@dataclass
class Supplier:
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    currency: str
    tolerance_rate: Decimal
    created_at: datetime
    updated_at: datetime
    phone: str | None = None
    contacts: list[SupplierContact] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    portal_status: str = "not_invited"
    revision: int = 1
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        tenant_id: UUID,
        name: str,
        email: str,
        currency: str,
        tolerance_rate: Decimal,
        now: datetime,
        phone: str | None = None,
        contacts: list[SupplierContact] | None = None,
        custom_fields: dict[str, Any] | None = None,
    ) -> Supplier:
        supplier = cls(
            id=uuid4(),
            tenant_id=tenant_id,
            name=name,
            email=email,
            phone=phone,
            currency=validate_currency(currency),
            tolerance_rate=validate_tolerance_rate(tolerance_rate),
            contacts=list(contacts or []),
            custom_fields=dict(custom_fields or {}),
            created_at=now,
            updated_at=now,
        )
        supplier.events.append(SupplierCreated(**supplier._state()))
        return supplier

    def update(self, changes: dict[str, Any], now: datetime) -> None:
        """Apply the buyer's changes; unknown fields never reach here (the edge refuses them)."""
        if "currency" in changes:
            changes["currency"] = validate_currency(changes["currency"])
        if "tolerance_rate" in changes:
            changes["tolerance_rate"] = validate_tolerance_rate(changes["tolerance_rate"])
        changed = False
        for name, value in changes.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        if changed:
            self._touch(now)
            self.events.append(SupplierUpdated(**self._state()))

    def activate_portal(self, now: datetime) -> None:
        if self.portal_status == "active":
            raise PortalStateConflict("the supplier's portal is already active")
        first_activation = self.portal_status == "not_invited"
        self.portal_status = "active"
        self._touch(now)
        self.events.append(SupplierPortalActivated(**self._state(), first_activation=first_activation))

    def deactivate_portal(self, now: datetime) -> None:
        if self.portal_status != "active":
            raise PortalStateConflict("the supplier's portal is not active")
        self.portal_status = "inactive"
        self._touch(now)
        self.events.append(SupplierPortalDeactivated(**self._state()))

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now

    def _state(self) -> dict[str, Any]:
        return {
            "supplier_id": self.id,
            "tenant_id": self.tenant_id,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "currency": self.currency,
            "tolerance_rate": self.tolerance_rate,
            "contacts": self.contacts,
            "portal_status": self.portal_status,
            "custom_fields": self.custom_fields,
            "revision": self.revision,
            "updated_at": self.updated_at,
        }

    def snapshot(self) -> SupplierSnapshot:
        return SupplierUpdated(**self._state())
