"""Loads and saves suppliers' ``Proposal`` aggregates (their files are in ``attachments``).

Callers scope access through the RFP first (a proposal is reached only through an RFP the caller
may see); here a proposal is found by its RFP and supplier, or by id within its RFP.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orders.sourcing.adapters.tables import rfp_proposal_lines, rfp_proposals
from orders.sourcing.domain.errors import ProposalNotFound
from orders.sourcing.domain.proposal import Proposal, ProposalLine
from shared.db import upsert
from shared.fields import made_of, values_of


class ProposalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_supplier(self, rfp_id: UUID, supplier_id: UUID, *, for_update: bool = False) -> Proposal | None:
        query = select(rfp_proposals).where(
            rfp_proposals.c.rfp_id == rfp_id, rfp_proposals.c.supplier_id == supplier_id
        )
        found = await self._load(query.with_for_update() if for_update else query)
        return found[0] if found else None

    async def of_suppliers(self, wanted: Sequence[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], Proposal]:
        """The proposals of several (RFP, supplier) pairs at once (a page of RFPs), by pair."""
        if not wanted:
            return {}
        rfp_ids = sorted({rfp_id for rfp_id, _ in wanted})
        supplier_ids = sorted({supplier_id for _, supplier_id in wanted})
        query = select(rfp_proposals).where(
            rfp_proposals.c.rfp_id.in_(rfp_ids), rfp_proposals.c.supplier_id.in_(supplier_ids)
        )
        pairs = set(wanted)
        return {(p.rfp_id, p.supplier_id): p for p in await self._load(query) if (p.rfp_id, p.supplier_id) in pairs}

    async def get(self, rfp_id: UUID, proposal_id: UUID) -> Proposal:
        query = select(rfp_proposals).where(rfp_proposals.c.rfp_id == rfp_id, rfp_proposals.c.id == proposal_id)
        found = await self._load(query)
        if not found:
            raise ProposalNotFound()
        return found[0]

    async def of_rfp(self, rfp_id: UUID, *, for_update: bool = False) -> list[Proposal]:
        query = select(rfp_proposals).where(rfp_proposals.c.rfp_id == rfp_id).order_by(rfp_proposals.c.created_at)
        return await self._load(query.with_for_update() if for_update else query)

    async def delete_drafts(self, tenant_id: UUID, *, last_changed_before: datetime) -> int:
        """Drop the tenant's draft proposals (their lines and files go with them)."""
        statement = delete(rfp_proposals).where(
            rfp_proposals.c.tenant_id == tenant_id,
            rfp_proposals.c.status == "draft",
            rfp_proposals.c.updated_at <= last_changed_before,
        )
        return (await self._session.execute(statement)).rowcount or 0  # type: ignore[attr-defined]

    async def save(self, proposal: Proposal) -> None:
        values = values_of(rfp_proposals.c.keys(), proposal)
        changing = ("status", "comment", "updated_at", "submitted_at", "revision")
        fixed = tuple(k for k in values if k not in changing)
        await self._session.execute(upsert(rfp_proposals, tuple(values), keep=fixed), values)
        await self._session.execute(delete(rfp_proposal_lines).where(rfp_proposal_lines.c.proposal_id == proposal.id))
        await self._session.execute(
            insert(rfp_proposal_lines).values(
                [
                    {
                        "proposal_id": proposal.id,
                        "rfp_line_id": line.rfp_line_id,
                        "line_no": index + 1,
                        "unit_price": line.unit_price,
                        "line_total": line.line_total,
                    }
                    for index, line in enumerate(proposal.lines)
                ]
            )
        )

    async def _load(self, query: Any) -> list[Proposal]:
        rows: Sequence[Row[Any]] = (await self._session.execute(query)).all()
        if not rows:
            return []
        lines: dict[UUID, list[ProposalLine]] = {row.id: [] for row in rows}
        line_query = (
            select(rfp_proposal_lines)
            .where(rfp_proposal_lines.c.proposal_id.in_(list(lines)))
            .order_by(rfp_proposal_lines.c.line_no)
        )
        for x in (await self._session.execute(line_query)).all():
            lines[x.proposal_id].append(ProposalLine(x.rfp_line_id, x.unit_price, x.line_total))
        return [_proposal(row, lines[row.id]) for row in rows]


def _proposal(row: Row[Any], lines: list[ProposalLine]) -> Proposal:
    return made_of(Proposal, row, lines=lines)
