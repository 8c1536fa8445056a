"""What the use cases hand to the edge: a supplier with the custom fields its tenant shows in the portal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from suppliers.domain.custom_fields import CustomFieldCatalog
from suppliers.domain.model import Supplier
from suppliers.service.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SupplierView:
    supplier: Supplier
    shown: frozenset[str]


async def with_shown_fields(uow: UnitOfWork, found: Sequence[Supplier]) -> list[SupplierView]:
    """Each supplier with its tenant's shown fields (a supplier user may see several tenants)."""
    catalogs: dict[UUID, CustomFieldCatalog] = {}
    views = []
    for supplier in found:
        if supplier.tenant_id not in catalogs:
            catalogs[supplier.tenant_id] = await uow.custom_fields.catalog(supplier.tenant_id)
        views.append(SupplierView(supplier, catalogs[supplier.tenant_id].shown_keys))
    return views
