"""Use cases that read RFPs: lists, one RFP as the caller may see it, the buyer's comparison, files
both ways (the buyer's documents on the request, the suppliers' on their proposals).

A supplier reaches only its own proposal; the buyer only proposals that were submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from orders.sourcing.domain.attachment import ProposalAttachment, RfpAttachment
from orders.sourcing.domain.comparison import Comparison, compare
from orders.sourcing.domain.errors import ProposalNotFound, RfpActionForbidden
from orders.sourcing.domain.proposal import Proposal
from orders.sourcing.domain.rfp import Rfp
from orders.sourcing.service.scoping import acting_supplier, invited_records
from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.auth import Principal


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RfpView:
    """An RFP as one caller sees it, as of ``seen_at``; a supplier's view carries its own proposal."""

    rfp: Rfp
    caller: Principal
    seen_at: datetime
    proposal: Proposal | None = None


async def list_rfps(
    uow: RfpUnitOfWork, caller: Principal, *, limit: int, after: tuple[datetime, UUID] | None, status: str | None
) -> list[RfpView]:
    moment = now()
    async with uow:
        found = await uow.rfps.page(scope=caller, limit=limit, after=after, status=status, now=moment)
        # A supplier sees its own answer to each (for its first invited record, as one RFP's page does).
        acting = {
            rfp.id: invited[0] for rfp in found if caller.is_supplier and (invited := invited_records(caller, rfp))
        }
        proposals = await uow.proposals.of_suppliers(list(acting.items()))
    return [
        RfpView(rfp, caller, moment, proposals.get((rfp.id, acting[rfp.id])) if rfp.id in acting else None)
        for rfp in found
    ]


async def get_rfp(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, supplier_id: UUID | None) -> RfpView:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller)
        proposal = None
        if caller.is_supplier:
            invited = invited_records(caller, rfp)
            chosen = supplier_id or (invited[0] if invited else None)
            proposal = await uow.proposals.of_supplier(rfp.id, acting_supplier(caller, rfp, chosen))
    return RfpView(rfp, caller, now(), proposal)


async def own_proposal(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, supplier_id: UUID | None) -> Proposal:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller)
        proposal = await uow.proposals.of_supplier(rfp.id, acting_supplier(caller, rfp, supplier_id))
    if proposal is None:
        raise ProposalNotFound("you have not answered this RFP yet")
    return proposal


async def compare_proposals(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID) -> Comparison:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller)
        if not caller.is_buyer:
            raise RfpActionForbidden("only the buyer compares the proposals")
        return compare(rfp, await uow.proposals.of_rfp(rfp.id))


async def count_open_rfps(uow: RfpUnitOfWork, caller: Principal) -> int:
    async with uow:
        return await uow.rfps.count_open(caller, now())


async def rfp_attachments(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID) -> list[RfpAttachment]:
    """The buyer's documents on the request, for whoever sees the request (its buyer; an invited
    supplier once it is published)."""
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller)
        return await uow.rfp_attachments.list(rfp.id)


async def rfp_attachment(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, attachment_id: UUID) -> RfpAttachment:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller)
        return await uow.rfp_attachments.get(rfp.id, attachment_id)


async def _proposal_with_files(
    uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, *, proposal_id: UUID | None, supplier_id: UUID | None
) -> Proposal | None:
    """The proposal whose files the caller reads: the buyer names one it sees (``proposal_id``), a
    supplier reads its own (None when it has not answered yet)."""
    rfp = await uow.rfps.get(rfp_id, scope=caller)
    if proposal_id is None:
        return await uow.proposals.of_supplier(rfp.id, acting_supplier(caller, rfp, supplier_id))
    if not caller.is_buyer:
        raise RfpActionForbidden("suppliers read their own proposal's files under /proposal/attachments")
    proposal = await uow.proposals.get(rfp.id, proposal_id)
    if not proposal.shown_to_buyer:
        raise ProposalNotFound()
    return proposal


async def proposal_attachments(
    uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, *, proposal_id: UUID | None, supplier_id: UUID | None
) -> list[ProposalAttachment]:
    """The files of a proposal: the buyer names one it sees (``proposal_id``), a supplier reads its own."""
    async with uow:
        proposal = await _proposal_with_files(uow, caller, rfp_id, proposal_id=proposal_id, supplier_id=supplier_id)
        return [] if proposal is None else await uow.proposal_attachments.list(proposal.id)


async def proposal_attachment(
    uow: RfpUnitOfWork,
    caller: Principal,
    rfp_id: UUID,
    attachment_id: UUID,
    *,
    proposal_id: UUID | None,
    supplier_id: UUID | None,
) -> ProposalAttachment:
    async with uow:
        proposal = await _proposal_with_files(uow, caller, rfp_id, proposal_id=proposal_id, supplier_id=supplier_id)
        if proposal is None:
            raise ProposalNotFound("you have not answered this RFP yet")
        return await uow.proposal_attachments.get(proposal.id, attachment_id)
