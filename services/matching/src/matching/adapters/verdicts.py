"""Stores the verdicts matching issued: one per (invoice, submission), and at most one re-match of
it on a goods receipt, read back as issued."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import and_, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.repository import invoice_of
from matching.adapters.tables import invoices, verdicts
from matching.domain.model import Invoice, TolerancePolicy
from matching.domain.verdict import IssuedVerdict
from shared.contracts.matching import MatchingVerdictIssued
from shared.driver import driver_rows
from shared.fields import values_of

# The verdicts on a submission: its first, then its re-match on a goods receipt.
FIRST, REMATCH = 0, 1


# Built once; the values are bound at execution (every submission adds a verdict).
_INSERT = insert(verdicts)


class VerdictRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, verdict: MatchingVerdictIssued, tolerance: TolerancePolicy) -> None:
        """Insert the verdict; the unique (invoice_id, submission, round) key refuses a second one."""
        values = values_of(
            verdicts.c.keys(),
            verdict,
            id=verdict.verdict_id,
            document=verdict.model_dump(mode="json"),
            round=FIRST if verdict.rematch_of is None else REMATCH,
            tolerance_rate=tolerance.rate,
            tolerance_amount=tolerance.amount,
        )
        await driver_rows(self._session, _INSERT, values)

    async def held_for_receipts(self, purchase_order_id: UUID) -> list[tuple[IssuedVerdict, Invoice, int]]:
        """The PO's invoices whose current submission's verdict holds them (for ``not_received``
        among others), not matched again yet and not decided since, in the order matching received
        them: each verdict with its invoice and the invoice's position among the PO's submissions."""
        again = verdicts.alias("again")
        rematched = select(again.c.id).where(
            again.c.invoice_id == invoices.c.id,
            again.c.submission == invoices.c.submission,
            again.c.round == REMATCH,
        )
        query = (
            select(
                invoices,
                verdicts.c.id.label("verdict_id"),
                verdicts.c.document,
                verdicts.c.tolerance_rate.label("policy_rate"),
                verdicts.c.tolerance_amount.label("policy_amount"),
            )
            .join(
                invoices, and_(invoices.c.id == verdicts.c.invoice_id, invoices.c.submission == verdicts.c.submission)
            )
            .where(
                verdicts.c.purchase_order_id == purchase_order_id,
                verdicts.c.round == FIRST,
                verdicts.c.outcome == "needs_approval",
                invoices.c.status.in_(("matching", "pending")),
                ~exists(rematched),
            )
            .order_by(invoices.c.received_seq)
        )
        return [
            (
                IssuedVerdict(
                    verdict_id=row.verdict_id,
                    invoice_id=row.id,
                    reasons=tuple(row.document["reasons"]),
                    tolerance=TolerancePolicy(row.policy_rate, row.policy_amount),
                ),
                invoice_of(row),
                row.received_seq,
            )
            for row in (await self._session.execute(query)).all()
        ]

    async def latest(self, invoice_id: UUID, *, tenant_id: UUID) -> MatchingVerdictIssued | None:
        """The verdict on the invoice's latest matched submission (its re-match, if any), within the tenant."""
        query = (
            select(verdicts.c.document)
            .where(verdicts.c.invoice_id == invoice_id, verdicts.c.tenant_id == tenant_id)
            .order_by(verdicts.c.submission.desc(), verdicts.c.round.desc())
            .limit(1)
        )
        document = (await self._session.execute(query)).scalar_one_or_none()
        return None if document is None else MatchingVerdictIssued.model_validate(document)
