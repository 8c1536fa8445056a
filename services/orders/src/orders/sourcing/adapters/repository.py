"""Loads and saves ``Rfp`` aggregates scoped to the caller, counts them, and hands out their numbers.

A buyer sees its tenant's RFPs; a supplier user the RFPs one of its supplier records is invited
to, once they were published (a draft is the buyer's private work).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, delete, exists, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters import counters
from orders.domain.portal_switch import unrestricted_supplier_ids
from orders.sourcing.adapters.tables import rfp_counters, rfp_invitations, rfp_lines, rfp_proposals, rfps
from orders.sourcing.domain.errors import RfpNotFound
from orders.sourcing.domain.lines import RfpLine
from orders.sourcing.domain.rfp import SHOWN_TO_SUPPLIERS, Rfp
from shared.auth import Principal
from shared.db import upsert
from shared.fields import made_of, values_of
from shared.pagination import keyset_after

_NOBODY = UUID(int=0)


def _invited(supplier_ids: Sequence[UUID]) -> Any:
    return exists().where(rfp_invitations.c.rfp_id == rfps.c.id, rfp_invitations.c.supplier_id.in_(supplier_ids))


def visible_to(principal: Principal) -> Any:
    """A buyer its tenant's RFPs; a supplier user those one of its records is invited to, but
    not through a record whose buyer switched its supplier portal off (``orders.domain.portal_switch``)."""
    if principal.is_buyer:
        return rfps.c.tenant_id == (principal.tenant_id or _NOBODY)
    invited = _invited(sorted(unrestricted_supplier_ids(principal)) or [_NOBODY])
    return and_(rfps.c.status.in_(SHOWN_TO_SUPPLIERS), invited)


def with_status(status: str | None, now: datetime) -> Any:
    """The filter on the status as of ``now``: a published RFP past its due date counts as closed."""
    if status is None:
        return true()
    if status == "published":
        return and_(rfps.c.status == "published", rfps.c.due_date > now)
    if status == "closed":
        return or_(rfps.c.status == "closed", and_(rfps.c.status == "published", rfps.c.due_date <= now))
    return rfps.c.status == status


class RfpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, rfp_id: UUID, *, scope: Principal | None, for_update: bool = False) -> Rfp:
        """The RFP if ``scope`` may see it; ``scope=None`` is the service itself."""
        query = select(rfps).where(rfps.c.id == rfp_id)
        if scope is not None:
            query = query.where(visible_to(scope))
        if for_update:
            query = query.with_for_update(of=rfps)
        row = (await self._session.execute(query)).first()
        if row is None:
            raise RfpNotFound()
        return (await self._complete([row]))[0]

    async def page(
        self, *, scope: Principal, limit: int, after: tuple[datetime, UUID] | None, status: str | None, now: datetime
    ) -> list[Rfp]:
        query = (
            select(rfps)
            .where(visible_to(scope), with_status(status, now), keyset_after(rfps.c.created_at, rfps.c.id, after))
            .order_by(rfps.c.created_at.desc(), rfps.c.id.desc())
            .limit(limit)
        )
        return await self._complete((await self._session.execute(query)).all())

    async def due_for_closing(self, now: datetime, *, limit: int) -> list[Rfp]:
        """Published RFPs past their due date, locked; ones another process holds are skipped."""
        query = (
            select(rfps)
            .where(rfps.c.status == "published", rfps.c.due_date <= now)
            .order_by(rfps.c.due_date)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self._complete((await self._session.execute(query)).all())

    async def count_open(self, scope: Principal, now: datetime) -> int:
        """Published RFPs before their due date: a buyer's all, a supplier's those it has not answered."""
        query = select(func.count()).select_from(rfps).where(visible_to(scope), with_status("published", now))
        if scope.is_supplier:
            # Open for the supplier while one of its invited records has no answer with the buyer yet.
            unanswered = exists().where(
                rfp_invitations.c.rfp_id == rfps.c.id,
                rfp_invitations.c.supplier_id.in_(list(scope.supplier_ids) or [_NOBODY]),
                ~exists().where(
                    rfp_proposals.c.rfp_id == rfps.c.id,
                    rfp_proposals.c.supplier_id == rfp_invitations.c.supplier_id,
                    rfp_proposals.c.status != "draft",
                ),
            )
            query = query.where(unanswered)
        return int((await self._session.execute(query)).scalar_one())

    async def next_number(self, tenant_id: UUID) -> int:
        return await counters.next_number(self._session, rfp_counters, tenant_id)

    async def save(self, rfp: Rfp) -> None:
        values = values_of(rfps.c.keys(), rfp)
        immutable = ("tenant_id", "number", "created_by", "created_at")
        await self._session.execute(upsert(rfps, tuple(values), keep=immutable), values)
        await self._save_lines(rfp)
        await self._session.execute(delete(rfp_invitations).where(rfp_invitations.c.rfp_id == rfp.id))
        await self._session.execute(
            insert(rfp_invitations).values(
                [{"rfp_id": rfp.id, "supplier_id": s, "position": i} for i, s in enumerate(rfp.supplier_ids)]
            )
        )

    async def _save_lines(self, rfp: Rfp) -> None:
        # A revised draft replaces its lines; a published RFP's lines never change.
        await self._session.execute(
            delete(rfp_lines).where(rfp_lines.c.rfp_id == rfp.id, rfp_lines.c.id.not_in([x.id for x in rfp.lines]))
        )
        rows = [
            {
                "id": x.id,
                "rfp_id": rfp.id,
                "line_no": x.line_no,
                "description": x.description,
                "quantity": x.quantity,
                "unit": x.unit,
            }
            for x in rfp.lines
        ]
        await self._session.execute(upsert(rfp_lines, tuple(rows[0]), keep=("rfp_id",)), rows)

    async def _complete(self, rows: Sequence[Row[Any]]) -> list[Rfp]:
        """The RFPs of ``rows`` with their lines and invited suppliers, in two queries."""
        if not rows:
            return []
        ids = [row.id for row in rows]
        lines: dict[UUID, list[RfpLine]] = {row.id: [] for row in rows}
        invited: dict[UUID, list[UUID]] = {row.id: [] for row in rows}
        line_rows = select(rfp_lines).where(rfp_lines.c.rfp_id.in_(ids)).order_by(rfp_lines.c.line_no)
        for x in (await self._session.execute(line_rows)).all():
            lines[x.rfp_id].append(RfpLine(x.id, x.line_no, x.description, x.quantity, x.unit))
        invitation_rows = (
            select(rfp_invitations).where(rfp_invitations.c.rfp_id.in_(ids)).order_by(rfp_invitations.c.position)
        )
        for x in (await self._session.execute(invitation_rows)).all():
            invited[x.rfp_id].append(x.supplier_id)
        return [_rfp(row, lines[row.id], invited[row.id]) for row in rows]


def _rfp(row: Row[Any], lines: list[RfpLine], supplier_ids: list[UUID]) -> Rfp:
    return made_of(Rfp, row, lines=lines, supplier_ids=supplier_ids)
