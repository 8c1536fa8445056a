"""Read models of the people emails go to: supplier records and buyer users.

Both are built from whole-state snapshots of other services; the repository keeps the newest
(suppliers by ``revision``, users by ``updated_at``) so a late, older snapshot changes nothing.
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
