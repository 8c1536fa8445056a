"""HTTP API of requests for proposals, the buyer's side and reading: thin translation to the use cases.

``/rfps/summary`` is declared before ``/rfps/{rfp_id}`` so that the word is not read as an id.
The supplier's proposal routes live in ``proposal_api`` and are included here.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from orders.sourcing.domain.rfp import KEEP
from orders.sourcing.entrypoints.deps import RfpUow
from orders.sourcing.entrypoints.proposal_api import attachment_response, proposal_router
from orders.sourcing.entrypoints.schemas import (
    AwardIn,
    AwardOut,
    ComparisonOut,
    RfpCreate,
    RfpOut,
    RfpPage,
    RfpPatch,
    RfpStatusFilter,
    RfpSummary,
)
from orders.sourcing.service import commands, queries
from orders.sourcing.service.queries import RfpView
from shared.collaboration_api import AttachmentOut, AttachmentPage, ReceivedFile
from shared.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from shared.runtime import CurrentPrincipal
from shared.uploads import DOWNLOAD_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["requests for proposals"])


@router.post("/rfps", status_code=status.HTTP_201_CREATED, response_model=RfpOut)
async def create_rfp(body: RfpCreate, caller: CurrentPrincipal, uow: RfpUow) -> RfpOut:
    rfp = await commands.create_rfp(
        uow,
        caller,
        title=body.title,
        due_date=body.due_date,
        currency=body.currency,
        lines=[line.to_domain() for line in body.lines],
        supplier_ids=body.supplier_ids,
    )
    return RfpOut.of(RfpView(rfp, caller, rfp.created_at))


@router.get("/rfps", response_model=RfpPage)
async def list_rfps(
    caller: CurrentPrincipal,
    uow: RfpUow,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    status: RfpStatusFilter | None = None,
) -> RfpPage:
    found = await queries.list_rfps(uow, caller, limit=limit + 1, after=decode_cursor(cursor), status=status)
    page = found[:limit]
    last = page[-1].rfp if page else None
    next_cursor = encode_cursor(last.created_at, last.id) if last is not None and len(found) > limit else None
    return RfpPage(items=[RfpOut.of(view) for view in page], next_cursor=next_cursor)


@router.get("/rfps/summary", response_model=RfpSummary)
async def rfp_summary(caller: CurrentPrincipal, uow: RfpUow) -> RfpSummary:
    """Open RFPs: a supplier's published invitations still unanswered, a buyer's published RFPs."""
    return RfpSummary(open_rfps=await queries.count_open_rfps(uow, caller))


@router.get("/rfps/{rfp_id}", response_model=RfpOut)
async def get_rfp(rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow, supplier_id: UUID | None = None) -> RfpOut:
    return RfpOut.of(await queries.get_rfp(uow, caller, rfp_id, supplier_id))


@router.patch("/rfps/{rfp_id}", response_model=RfpOut)
async def patch_rfp(rfp_id: UUID, body: RfpPatch, caller: CurrentPrincipal, uow: RfpUow) -> RfpOut:
    rfp = await commands.revise_rfp(
        uow,
        caller,
        rfp_id,
        title=body.title,
        due_date=body.due_date,
        currency=body.currency if "currency" in body.model_fields_set else KEEP,
        lines=[line.to_domain() for line in body.lines] if body.lines is not None else None,
        supplier_ids=body.supplier_ids,
    )
    return RfpOut.of(RfpView(rfp, caller, rfp.updated_at))


@router.post("/rfps/{rfp_id}/publish", response_model=RfpOut)
async def publish_rfp(rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow) -> RfpOut:
    rfp = await commands.publish_rfp(uow, caller, rfp_id)
    return RfpOut.of(RfpView(rfp, caller, rfp.updated_at))


@router.post("/rfps/{rfp_id}/award", response_model=AwardOut)
async def award_rfp(rfp_id: UUID, body: AwardIn, caller: CurrentPrincipal, uow: RfpUow) -> AwardOut:
    """The proposal wins: a draft purchase order is made of the lines it priced."""
    rfp = await commands.award_rfp(uow, caller, rfp_id, body.proposal_id)
    assert rfp.purchase_order_id is not None
    return AwardOut(purchase_order_id=rfp.purchase_order_id, rfp_id=rfp.id, proposal_id=body.proposal_id)


@router.get("/rfps/{rfp_id}/proposals", response_model=ComparisonOut)
async def compare_proposals(rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow) -> ComparisonOut:
    """The submitted proposals side by side per line (buyer only; drafts are not shown)."""
    return ComparisonOut.of(await queries.compare_proposals(uow, caller, rfp_id))


@router.get("/rfps/{rfp_id}/proposals/{proposal_id}/attachments", response_model=AttachmentPage)
async def list_proposal_attachments(
    rfp_id: UUID, proposal_id: UUID, caller: CurrentPrincipal, uow: RfpUow
) -> AttachmentPage:
    found = await queries.proposal_attachments(uow, caller, rfp_id, proposal_id=proposal_id, supplier_id=None)
    return AttachmentPage(items=[AttachmentOut.model_validate(a) for a in found])


@router.get(
    "/rfps/{rfp_id}/proposals/{proposal_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES,
)
async def download_proposal_attachment(
    rfp_id: UUID, proposal_id: UUID, attachment_id: UUID, caller: CurrentPrincipal, uow: RfpUow
) -> Response:
    attachment = await queries.proposal_attachment(
        uow, caller, rfp_id, attachment_id, proposal_id=proposal_id, supplier_id=None
    )
    return attachment_response(attachment)


@router.get("/rfps/{rfp_id}/attachments", response_model=AttachmentPage)
async def list_rfp_attachments(rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow) -> AttachmentPage:
    """The buyer's documents on the request: its buyer reads them always, an invited supplier once
    the request is published."""
    found = await queries.rfp_attachments(uow, caller, rfp_id)
    return AttachmentPage(items=[AttachmentOut.model_validate(a) for a in found])


@router.post("/rfps/{rfp_id}/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentOut)
async def upload_rfp_attachment(
    rfp_id: UUID, caller: CurrentPrincipal, uow: RfpUow, file: ReceivedFile
) -> AttachmentOut:
    """The buyer attaches a document (a drawing, a specification) while the request is a draft or open."""
    attachment = await commands.attach_to_rfp(uow, caller, rfp_id, file.upload, max_bytes=file.max_bytes)
    return AttachmentOut.model_validate(attachment)


@router.get("/rfps/{rfp_id}/attachments/{attachment_id}", response_class=Response, responses=DOWNLOAD_RESPONSES)
async def download_rfp_attachment(rfp_id: UUID, attachment_id: UUID, caller: CurrentPrincipal, uow: RfpUow) -> Response:
    return attachment_response(await queries.rfp_attachment(uow, caller, rfp_id, attachment_id))


router.include_router(proposal_router)
