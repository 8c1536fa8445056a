"""What the use cases hand to the edge: a supplier with the custom fields its tenant shows in the portal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from suppliers.domain.custom_fields import CustomFieldCatalog, CustomFieldDefinition
from suppliers.domain.model import Supplier
from suppliers.service.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SupplierView:
    supplier: Supplier
    # The tenant's definitions shown in the portal, in the buyer's listing order.
    shown_fields: tuple[CustomFieldDefinition, ...]

    @classmethod
    def of(cls, supplier: Supplier, catalog: CustomFieldCatalog) -> SupplierView:
        return cls(supplier, catalog.shown_definitions)

    @property
    def shown(self) -> frozenset[str]:
        """The keys of the custom fields the supplier may see."""
        return frozenset(d.key for d in self.shown_fields)


async def with_shown_fields(uow: UnitOfWork, found: Sequence[Supplier]) -> list[SupplierView]:
    """Each supplier with its tenant's shown fields (a supplier user may see several tenants)."""
    catalogs: dict[UUID, CustomFieldCatalog] = {}
    views = []
    for supplier in found:
        if supplier.tenant_id not in catalogs:
            catalogs[supplier.tenant_id] = await uow.custom_fields.catalog(supplier.tenant_id)
        views.append(SupplierView.of(supplier, catalogs[supplier.tenant_id]))
    return views
