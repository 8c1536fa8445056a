"""What matching does on an event of its own workflow: match a submitted invoice and issue its
verdict.

The handler runs in the unit of work its consumer opened, which records the event in the inbox
and commits: a redelivered event never reaches it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from matching.domain.matching import match_invoice
from matching.domain.model import Invoice
from matching.service.unit_of_work import UnitOfWork
from shared.contracts.matching import MatchingVerdictIssued
from shared.errors import RetryLater


def _now() -> datetime:
    return datetime.now(UTC)


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
