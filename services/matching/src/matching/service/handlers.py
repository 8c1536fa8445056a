"""Use cases of the matching service: keep the read models, match submitted invoices.

The event handlers run in the unit of work their consumer opened, which records the event in the
inbox and commits: a redelivered event never reaches them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from matching.domain.errors import VerdictNotFound
from matching.domain.matching import match_invoice
from matching.domain.model import Invoice, PurchaseOrder, SupplierTolerance
from matching.service.unit_of_work import UnitOfWork
from shared.auth import Principal
from shared.contracts.matching import MatchingVerdictIssued
from shared.errors import RetryLater


def _now() -> datetime:
    return datetime.now(UTC)


async def record_purchase_order(uow: UnitOfWork, po: PurchaseOrder) -> None:
    await uow.purchase_orders.save(po)


async def record_supplier(uow: UnitOfWork, tolerance: SupplierTolerance) -> None:
    await uow.suppliers.save(tolerance)


async def record_invoice(uow: UnitOfWork, invoice: Invoice) -> None:
    """An invoice moved (approval requested, approved, rejected, canceled, paid)."""
    await uow.invoices.save(invoice)


async def match_submitted_invoice(uow: UnitOfWork, invoice: Invoice) -> MatchingVerdictIssued | None:
    """Match one submission and issue its verdict; None when there is nothing new to say."""
    # The PO row lock serialises the matching of one PO's invoices, whatever delivers them.
    po = await uow.purchase_orders.get(invoice.purchase_order_id, for_update=True)
    if po is None:
        raise RetryLater(f"purchase order {invoice.purchase_order_id} not in the read model yet")
    if await uow.verdicts.exists(invoice.id, invoice.submission):
        return None  # a re-published submission: the verdict already issued stands, no second one
    supplier = await uow.suppliers.get(po.supplier_id)
    if supplier is None:
        raise RetryLater(f"supplier {po.supplier_id} not in the read model yet")
    received_seq = await uow.invoices.next_received_seq(po.id)
    await uow.invoices.save(invoice, received_seq=received_seq)
    earlier = await uow.invoices.received_before(po.id, received_seq)
    verdict = match_invoice(po, earlier, invoice, supplier.tolerance_rate)
    issued = verdict.issue(verdict_id=uuid4(), tenant_id=po.tenant_id, issued_at=_now())
    await uow.save_verdict(issued)
    return issued


async def latest_verdict(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> MatchingVerdictIssued:
    tenant_id = caller.require_buyer()
    async with uow:
        verdict = await uow.verdicts.latest(invoice_id, tenant_id=tenant_id)
    if verdict is None:
        raise VerdictNotFound()
    return verdict
