"""HTTP API of comments and attachments on purchase orders, and their bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from orders.domain.collaboration import Comment
from orders.entrypoints.deps import MaxUploadBytes, Uow
from orders.service import collaboration
from shared.collaboration import MAX_COMMENT_LENGTH, StoredFile, Upload
from shared.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from shared.runtime import CurrentPrincipal
from shared.uploads import DOWNLOAD_RESPONSES, content_disposition

router = APIRouter(prefix="/api/v1/purchase-orders/{order_id}", tags=["purchase order comments and attachments"])


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=MAX_COMMENT_LENGTH)


class CommentOut(BaseModel):
    id: UUID
    author_id: UUID
    author_role: str
    author_name: str | None
    body: str
    created_at: datetime

    @classmethod
    def of(cls, comment: Comment) -> CommentOut:
        return cls(
            id=comment.id,
            author_id=comment.author_id,
            author_role=comment.author_role,
            author_name=comment.author_name,
            body=comment.body,
            created_at=comment.created_at,
        )


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None = None


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime

    @classmethod
    def of(cls, attachment: StoredFile) -> AttachmentOut:
        return cls(
            id=attachment.id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            uploaded_by=attachment.uploaded_by,
            created_at=attachment.created_at,
        )


class AttachmentPage(BaseModel):
    items: list[AttachmentOut]
    next_cursor: str | None = None


async def received(file: UploadFile, max_bytes: int) -> Upload:
    """The uploaded file as the request carried it, read to one byte past the cap: enough to refuse
    a file that is too large without reading all of it."""
    content = await file.read(max_bytes + 1)
    return Upload(filename=file.filename, content_type=file.content_type, content=content)


def download(file: StoredFile, content: bytes) -> Response:
    """A stored file's bytes under its cleaned name, never sniffed as another type."""
    return Response(
        content=content,
        media_type=file.content_type,
        headers={"Content-Disposition": content_disposition(file.filename), "X-Content-Type-Options": "nosniff"},
    )


@router.get("/comments", response_model=CommentPage)
async def list_comments(
    order_id: UUID, caller: CurrentPrincipal, uow: Uow, limit: LimitParam = 50, cursor: CursorParam = None
) -> CommentPage:
    found = await collaboration.list_comments(uow, caller, order_id, limit=limit + 1, after=decode_cursor(cursor))
    page = list(found[:limit])
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(found) > limit else None
    return CommentPage(items=[CommentOut.of(c) for c in page], next_cursor=next_cursor)


@router.post("/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut)
async def add_comment(order_id: UUID, body: CommentIn, caller: CurrentPrincipal, uow: Uow) -> CommentOut:
    return CommentOut.of(await collaboration.add_comment(uow, caller, order_id, body=body.body))


@router.get("/attachments", response_model=AttachmentPage)
async def list_attachments(
    order_id: UUID, caller: CurrentPrincipal, uow: Uow, limit: LimitParam = 50, cursor: CursorParam = None
) -> AttachmentPage:
    found = await collaboration.list_attachments(uow, caller, order_id, limit=limit + 1, after=decode_cursor(cursor))
    page = list(found[:limit])
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(found) > limit else None
    return AttachmentPage(items=[AttachmentOut.of(a) for a in page], next_cursor=next_cursor)


@router.post("/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentOut)
async def add_attachment(
    order_id: UUID,
    file: Annotated[UploadFile, File(description="the file (multipart field `file`)")],
    caller: CurrentPrincipal,
    uow: Uow,
    max_bytes: MaxUploadBytes,
) -> AttachmentOut:
    upload = await received(file, max_bytes)
    return AttachmentOut.of(await collaboration.add_attachment(uow, caller, order_id, upload, max_bytes=max_bytes))


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses=DOWNLOAD_RESPONSES,
)
async def download_attachment(order_id: UUID, attachment_id: UUID, caller: CurrentPrincipal, uow: Uow) -> Response:
    attachment, content = await collaboration.attachment_content(uow, caller, order_id, attachment_id)
    return download(attachment, content)
