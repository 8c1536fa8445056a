"""HTTP API of a supplier's own proposal on an RFP: write it, submit it, attach files to it.

A supplier user linked to several invited supplier records names one with ``?supplier_id=``.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from orders.sourcing.domain.attachment import ProposalAttachment, RfpAttachment
from orders.sourcing.entrypoints.deps import RfpUow
from orders.sourcing.entrypoints.proposal_schemas import ProposalOut, ProposalPut
from orders.sourcing.service import proposal_commands, queries
from shared.collaboration_api import AttachmentOut, AttachmentPage, ReceivedFile, stored_file
from shared.runtime import CurrentPrincipal
from shared.uploads import DOWNLOAD_RESPONSES

proposal_router = APIRouter(tags=["proposals"])


def attachment_response(attachment: ProposalAttachment | RfpAttachment) -> Response:
    assert attachment.content is not None  # read one by one, a file comes with its bytes
    return stored_file(attachment, attachment.content)


@proposal_router.get("/rfps/{rfp_id}/proposal", response_model=ProposalOut)
async def get_own_proposal(
    rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow, supplier_id: UUID | None = None
) -> ProposalOut:
    return ProposalOut.of(await queries.own_proposal(uow, caller, rfp_id, supplier_id))


@proposal_router.put("/rfps/{rfp_id}/proposal", response_model=ProposalOut)
async def put_proposal(
    rfp_id: UUID, body: ProposalPut, caller: CurrentPrincipal, uow: RfpUow, supplier_id: UUID | None = None
) -> ProposalOut:
    """Answer every line (a price, or null to decline it); the answer is a draft until submitted."""
    proposal = await proposal_commands.answer_rfp(
        uow,
        caller,
        rfp_id,
        supplier_id=supplier_id,
        lines=[line.to_domain() for line in body.lines],
        comment=body.comment,
    )
    return ProposalOut.of(proposal)


@proposal_router.post("/rfps/{rfp_id}/proposal/submit", response_model=ProposalOut)
async def submit_proposal(
    rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow, supplier_id: UUID | None = None
) -> ProposalOut:
    """``submitted``, or ``rejected`` when every line is declined; allowed again until the due date."""
    return ProposalOut.of(await proposal_commands.submit_proposal(uow, caller, rfp_id, supplier_id))


@proposal_router.get("/rfps/{rfp_id}/proposal/attachments", response_model=AttachmentPage)
async def list_own_attachments(
    rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow, supplier_id: UUID | None = None
) -> AttachmentPage:
    found = await queries.proposal_attachments(uow, caller, rfp_id, proposal_id=None, supplier_id=supplier_id)
    return AttachmentPage(items=[AttachmentOut.model_validate(a) for a in found])


@proposal_router.post(
    "/rfps/{rfp_id}/proposal/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentOut
)
async def upload_attachment(
    rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow, file: ReceivedFile, supplier_id: UUID | None = None
) -> AttachmentOut:
    attachment = await proposal_commands.attach_to_proposal(
        uow, caller, rfp_id, supplier_id, file.upload, max_bytes=file.max_bytes
    )
    return AttachmentOut.model_validate(attachment)


@proposal_router.get(
    "/rfps/{rfp_id}/proposal/attachments/{attachment_id}",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES,
)
async def download_own_attachment(
    rfp_id: UUID, attachment_id: UUID, caller: CurrentPrincipal, uow: RfpUow, supplier_id: UUID | None = None
) -> Response:
    attachment = await queries.proposal_attachment(
        uow, caller, rfp_id, attachment_id, proposal_id=None, supplier_id=supplier_id
    )
    return attachment_response(attachment)
