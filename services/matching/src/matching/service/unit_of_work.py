"""The matching unit of work: read models, verdicts, outbox and inbox on one transaction."""

from __future__ import annotations

from matching.adapters.arrivals import Arrivals
from matching.adapters.repository import InvoiceRepository, PurchaseOrderRepository, SupplierToleranceRepository
from matching.adapters.verdicts import VerdictRepository
from matching.domain.model import TolerancePolicy
from shared.contracts.matching import MatchingVerdictIssued
from shared.db import SqlUnitOfWork


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.purchase_orders = PurchaseOrderRepository(self.session)
        self.suppliers = SupplierToleranceRepository(self.session)
        self.invoices = InvoiceRepository(self.session)
        self.verdicts = VerdictRepository(self.session)
        self.arrivals = Arrivals(self.session)

    async def save_verdict(self, verdict: MatchingVerdictIssued, tolerance: TolerancePolicy) -> None:
        """Store the verdict and put its event in the outbox: both commit or neither does."""
        await self.verdicts.add(verdict, tolerance)
        self.outbox.add(verdict, tenant_id=verdict.tenant_id)
