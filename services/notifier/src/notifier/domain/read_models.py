"""Read models of the people emails go to and speak of: supplier records, buyer users and the
buyer organisations.

All are built from whole-state snapshots of other services; the repository keeps the newest
(suppliers and organisations by ``revision``, users by ``updated_at``) so a late, older snapshot
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class SupplierContact:
    """A supplier record as far as emails need it: whom to write to and by what name."""

    supplier_id: UUID
    tenant_id: UUID
    name: str
    email: str
    contacts: tuple[dict[str, str | None], ...]
    revision: int


@dataclass(frozen=True)
class PortalUser:
    """A portal user; snapshots carry no revision, so ``updated_at`` orders them."""

    user_id: UUID
    tenant_id: UUID | None
    email: str
    name: str
    role: str
    active: bool
    updated_at: datetime


@dataclass(frozen=True)
class BuyerOrganisation:
    """A buyer organisation by name: emails to a supplier say which buyer acted."""

    tenant_id: UUID
    name: str
    revision: int
