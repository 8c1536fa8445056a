"""What invoicing does on an event of its own workflow: matching's verdict on a submitted invoice.
It runs inside the unit of work its consumer opened (after its inbox check) and leaves the commit
to it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from invoicing.domain.verdicts import PossibleDuplicate, Verdict, VerdictLine
from invoicing.service.commands import credit_if_approved
from invoicing.service.unit_of_work import UnitOfWork
from shared.contracts.matching import MatchingVerdictIssued
from shared.errors import RetryLater
from shared.fields import made_of

log = structlog.get_logger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def verdict_of(event: MatchingVerdictIssued) -> Verdict:
    """The invoice's own record of matching's verdict event."""
    # Of the same names: a field a newer verdict carries and this service does not know is left.
    lines = tuple(made_of(VerdictLine, line) for line in event.lines)
    duplicates = tuple(made_of(PossibleDuplicate, duplicate) for duplicate in event.possible_duplicates)
    return made_of(Verdict, event, reasons=tuple(event.reasons), lines=lines, possible_duplicates=duplicates)


async def record_verdict(uow: UnitOfWork, verdict: MatchingVerdictIssued) -> None:
    """Move the invoice on by matching's verdict; a verdict on an older submission changes nothing."""
    found = await uow.invoices.find_with_order_initiator(verdict.invoice_id)
    if found is None:
        raise RetryLater(f"invoice {verdict.invoice_id} is not here yet")
    invoice, initiator_id = found
    if invoice.tenant_id != verdict.tenant_id:
        log.warning("verdict for another tenant's invoice ignored", invoice_id=str(invoice.id))
        return
    if initiator_id is None:
        raise RetryLater(f"purchase order {invoice.purchase_order_id} is not here yet")
    if not invoice.record_verdict(verdict_of(verdict), approver_id=initiator_id, now=_now()):
        log.info("stale verdict ignored", submission=verdict.submission, current=invoice.submission)
        return
    await uow.save(invoice)
    await credit_if_approved(uow, invoice)
