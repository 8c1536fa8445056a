"""The suppliers unit of work: repositories, the organisations read model, outbox and inbox on
one transaction."""

from __future__ import annotations

from shared.db import SqlUnitOfWork
from suppliers.adapters.custom_fields import CustomFieldRepository
from suppliers.adapters.read_models import OrganisationDirectory
from suppliers.adapters.repository import SupplierRepository
from suppliers.domain.model import Supplier


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.suppliers = SupplierRepository(self.session)
        self.custom_fields = CustomFieldRepository(self.session)
        self.organisations = OrganisationDirectory(self.session)

    async def save(self, supplier: Supplier) -> None:
        """Persist the aggregate and move its recorded events to the outbox."""
        await self.suppliers.save(supplier)
        self.outbox.take(supplier.events, tenant_id=supplier.tenant_id)
