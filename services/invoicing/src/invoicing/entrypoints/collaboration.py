"""HTTP API of an invoice's conversation: comments and attached files (multipart field ``file``)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, UploadFile, status

from invoicing.entrypoints.deps import Uow, UploadLimit
from invoicing.entrypoints.schemas import AttachmentOut, AttachmentPage, CommentIn, CommentOut, CommentPage
from invoicing.service import collaboration
from shared.collaboration import Upload
from shared.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from shared.runtime import CurrentPrincipal
from shared.uploads import DOWNLOAD_RESPONSES, content_disposition

router = APIRouter(prefix="/api/v1", tags=["invoice conversation"])


@router.get("/invoices/{invoice_id}/comments", response_model=CommentPage)
async def list_comments(
    invoice_id: UUID, caller: CurrentPrincipal, uow: Uow, limit: LimitParam = 100, cursor: CursorParam = None
) -> CommentPage:
    """Oldest first."""
    found = await collaboration.list_comments(uow, caller, invoice_id, limit=limit + 1, after=decode_cursor(cursor))
    page = list(found[:limit])
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(found) > limit else None
    return CommentPage(items=[CommentOut.of(c) for c in page], next_cursor=next_cursor)


@router.post("/invoices/{invoice_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut)
async def add_comment(invoice_id: UUID, body: CommentIn, caller: CurrentPrincipal, uow: Uow) -> CommentOut:
    """Comment on the invoice; the other side is told (``InvoiceCommentAdded``)."""
    return CommentOut.of(await collaboration.add_comment(uow, caller, invoice_id, body=body.body))


@router.get("/invoices/{invoice_id}/attachments", response_model=AttachmentPage)
async def list_attachments(
    invoice_id: UUID, caller: CurrentPrincipal, uow: Uow, limit: LimitParam = 100, cursor: CursorParam = None
) -> AttachmentPage:
    found = await collaboration.list_attachments(uow, caller, invoice_id, limit=limit + 1, after=decode_cursor(cursor))
    page = list(found[:limit])
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(found) > limit else None
    return AttachmentPage(items=[AttachmentOut.of(a) for a in page], next_cursor=next_cursor)


@router.post("/invoices/{invoice_id}/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentOut)
async def add_attachment(
    invoice_id: UUID, file: UploadFile, caller: CurrentPrincipal, uow: Uow, max_bytes: UploadLimit
) -> AttachmentOut:
    """Attach a file (PDF, image, XLSX, CSV or text) up to the service's size cap."""
    # One byte past the cap is enough to refuse it: a huge upload is never read whole.
    content = await file.read(max_bytes + 1)
    upload = Upload(filename=file.filename, content_type=file.content_type, content=content)
    return AttachmentOut.of(await collaboration.add_attachment(uow, caller, invoice_id, upload, max_bytes=max_bytes))


@router.get(
    "/invoices/{invoice_id}/attachments/{attachment_id}",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES,
)
async def download_attachment(invoice_id: UUID, attachment_id: UUID, caller: CurrentPrincipal, uow: Uow) -> Response:
    attachment, content = await collaboration.attachment_content(uow, caller, invoice_id, attachment_id)
    return Response(
        content=content,
        media_type=attachment.content_type,
        # nosniff: the browser keeps to the checked type instead of guessing from the bytes.
        headers={"Content-Disposition": content_disposition(attachment.filename), "X-Content-Type-Options": "nosniff"},
    )
