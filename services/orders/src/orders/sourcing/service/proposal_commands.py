"""Use cases of a supplier on its own proposal: answer an RFP, submit the answer, attach files.

Each locks the RFP row first (as every write to an RFP or its proposals does), so a submission
never interleaves with the award or the closing of the RFP.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from orders.domain.errors import UnknownSupplier
from orders.sourcing.domain.attachment import ProposalAttachment, attach
from orders.sourcing.domain.errors import ProposalNotFound
from orders.sourcing.domain.proposal import Proposal, ProposalLineInput
from orders.sourcing.domain.rfp import Rfp
from orders.sourcing.service.commands import now
from orders.sourcing.service.scoping import acting_supplier
from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.auth import Principal
from shared.collaboration import Upload
from shared.uploads import check_upload


async def answer_rfp(
    uow: RfpUnitOfWork,
    caller: Principal,
    rfp_id: UUID,
    *,
    supplier_id: UUID | None,
    lines: Sequence[ProposalLineInput],
    comment: str | None,
) -> Proposal:
    """Write the supplier's answer (a new draft, or a new version of its proposal)."""
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        acting = acting_supplier(caller, rfp, supplier_id)
        proposal = await uow.proposals.of_supplier(rfp.id, acting, for_update=True)
        if proposal is None:
            currency = rfp.currency
            if currency is None:  # the supplier prices in its own currency
                supplier = await uow.suppliers.get(acting, tenant_id=rfp.tenant_id)
                if supplier is None:
                    raise UnknownSupplier()
                currency = supplier.currency
            proposal = Proposal.answer(
                rfp, supplier_id=acting, currency=currency, lines=lines, comment=comment, now=now()
            )
        else:
            proposal.revise(rfp, lines=lines, comment=comment, now=now())
        await uow.save_proposal(proposal)
        await uow.commit()
    return proposal


async def _own_proposal(uow: RfpUnitOfWork, caller: Principal, rfp: Rfp, supplier_id: UUID | None) -> Proposal:
    proposal = await uow.proposals.of_supplier(rfp.id, acting_supplier(caller, rfp, supplier_id), for_update=True)
    if proposal is None:
        raise ProposalNotFound("you have not answered this RFP yet; PUT your proposal first")
    return proposal


async def submit_proposal(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, supplier_id: UUID | None) -> Proposal:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        proposal = await _own_proposal(uow, caller, rfp, supplier_id)
        proposal.submit(rfp, now())
        await uow.save_proposal(proposal)
        await uow.commit()
    return proposal


async def attach_to_proposal(
    uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, supplier_id: UUID | None, upload: Upload, *, max_bytes: int
) -> ProposalAttachment:
    name, checked_type = check_upload(upload.filename, upload.content_type, upload.content, max_bytes=max_bytes)
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        proposal = await _own_proposal(uow, caller, rfp, supplier_id)
        attachment = attach(
            rfp,
            proposal,
            filename=name,
            content_type=checked_type,
            content=upload.content,
            uploaded_by=caller.user_id,
            now=now(),
        )
        await uow.proposal_attachments.add(attachment)
        await uow.commit()
    return attachment
