"""What matching does on an event of its own workflow: match a submitted invoice and issue its
verdict; match again the invoices a purchase order's goods receipts held.

The handlers run in the unit of work their consumer opened, which records the event in the inbox
and commits: a redelivered event never reaches them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from matching.domain.matching import match_invoice, possible_duplicates, rematch_on_receipt
from matching.domain.model import Invoice, PurchaseOrder
from matching.domain.verdict import Verdict
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
    # Asked once the lock is held, so that what the PO's earlier submissions committed is seen. It
    # also holds the supplier's invoice number: invoices of one number on other POs are matched one
    # after the other, as those of one PO are.
    arrival = await uow.arrivals.of(invoice, po.supplier_id)
    if arrival.verdict_issued:
        return None  # a re-published submission: the verdict already issued stands, no second one
    tolerance = arrival.tolerance
    if tolerance is None:
        raise RetryLater(f"supplier {po.supplier_id} not in the read model yet")
    earlier, namesakes = await uow.invoices.store_submission(invoice, arrival.received_seq)
    duplicates = possible_duplicates(invoice, [*earlier, *namesakes])
    return await _issue(uow, po, match_invoice(po, earlier, invoice, tolerance, duplicates))


async def rematch_held_invoices(uow: UnitOfWork, po: PurchaseOrder) -> list[MatchingVerdictIssued]:
    """Match again the PO's invoices held only for ``not_received`` (MATCHING.md, Three-way
    matching), the PO's newer state stored and row-locked: each one its receipts now cover is
    approved, once (a second re-match of a submission is refused by the verdicts' unique key,
    and the query no longer finds it)."""
    issued = []
    for held, invoice, received_seq in await uow.verdicts.held_for_receipts(po.id):
        earlier = await uow.invoices.received_before(po.id, received_seq)
        verdict = rematch_on_receipt(po, earlier, invoice, held)
        if verdict is not None:
            issued.append(await _issue(uow, po, verdict))
    return issued


async def _issue(uow: UnitOfWork, po: PurchaseOrder, verdict: Verdict) -> MatchingVerdictIssued:
    issued = verdict.issue(verdict_id=uuid4(), tenant_id=po.tenant_id, issued_at=_now())
    await uow.save_verdict(issued, verdict.tolerance)
    return issued
