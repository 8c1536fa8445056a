"""The HTTP side of a document's conversation (``shared.collaboration``), the same in every
service that keeps one: its routes (``conversation_router``, over the service's own use cases),
what a comment is written with and read as, a page of comments or files, an upload read up to its
cap, and a stored file's download.

The routes are declared inside a function, so this module keeps its annotations evaluated (no
``from __future__ import annotations``): FastAPI reads them from the function objects.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol
from uuid import UUID

from fastapi import APIRouter, Depends, File, Path, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from shared.auth import Principal
from shared.collaboration import MAX_COMMENT_LENGTH, AuthorRole, Comment, Cursor, StoredFile, Upload
from shared.pagination import CursorParam, LimitParam, decode_cursor, page_of
from shared.runtime import CurrentPrincipal, Runtime
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES, DOWNLOAD_RESPONSES, download


async def upload_limit(runtime: Runtime) -> int:
    """The service's cap on an uploaded file (its ``max_upload_bytes`` setting)."""
    limit: int = getattr(runtime.settings, "max_upload_bytes", DEFAULT_MAX_UPLOAD_BYTES)
    return limit


UploadLimit = Annotated[int, Depends(upload_limit)]


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COMMENT_LENGTH)]


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    author_id: UUID
    author_role: AuthorRole
    author_name: str | None
    body: str
    created_at: datetime


class CommentPage(BaseModel):
    items: list[CommentOut]
    next_cursor: str | None = None


class AttachmentOut(BaseModel):
    """A stored file's description (a conversation's, an RFP's document, a proposal's file)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime


class AttachmentPage(BaseModel):
    items: list[AttachmentOut]
    next_cursor: str | None = None


def comment_page(found: Sequence[Comment], limit: int) -> CommentPage:
    items, next_cursor = page_of(found, limit, CommentOut.model_validate)
    return CommentPage(items=items, next_cursor=next_cursor)


def attachment_page(found: Sequence[StoredFile], limit: int) -> AttachmentPage:
    items, next_cursor = page_of(found, limit, AttachmentOut.model_validate)
    return AttachmentPage(items=items, next_cursor=next_cursor)


@dataclass(frozen=True)
class Received:
    """An uploaded file as the request carried it, and the service's cap it is held to."""

    upload: Upload
    max_bytes: int


async def received(
    file: Annotated[UploadFile, File(description="the file (multipart field `file`): PDF, image, XLSX, CSV or text")],
    max_bytes: UploadLimit,
) -> Received:
    """The file read to one byte past the cap: enough to refuse a file that is too large without
    reading all of it (the use case checks it, ``shared.uploads.check_upload``)."""
    content = await file.read(max_bytes + 1)
    return Received(Upload(filename=file.filename, content_type=file.content_type, content=content), max_bytes)


ReceivedFile = Annotated[Received, Depends(received)]


def stored_file(file: StoredFile, content: bytes) -> Response:
    """A stored file's bytes under its cleaned name, in the type it was accepted as."""
    return download(file.filename, file.content_type, content)


class ConversationUseCases(Protocol):
    """The service's use cases of its conversation (its ``service.collaboration`` module): who may
    read and write below which subject is its own rule."""

    async def list_comments(
        self, uow: Any, caller: Principal, subject_id: UUID, *, limit: int, after: Cursor | None
    ) -> Sequence[Comment]: ...
    async def add_comment(self, uow: Any, caller: Principal, subject_id: UUID, *, body: str) -> Comment: ...
    async def list_attachments(
        self, uow: Any, caller: Principal, subject_id: UUID, *, limit: int, after: Cursor | None
    ) -> Sequence[StoredFile]: ...
    async def add_attachment(
        self, uow: Any, caller: Principal, subject_id: UUID, upload: Upload, *, max_bytes: int
    ) -> StoredFile: ...
    async def attachment_content(
        self, uow: Any, caller: Principal, subject_id: UUID, attachment_id: UUID
    ) -> tuple[StoredFile, bytes]: ...


def conversation_router(
    prefix: str,
    subject: str,
    *,
    use_cases: ConversationUseCases,
    unit_of_work: Callable[..., Awaitable[Any]],
    tag: str,
    page_size: int,
    told: str,
) -> APIRouter:
    """The comments and attachments below ``prefix`` (a path that ends in the subject's ``{id}``,
    named ``subject``): a listing ``page_size`` long by default, oldest first; ``told`` says what
    the other side hears of a new comment."""
    router = APIRouter(prefix=prefix, tags=[tag])
    SubjectId = Annotated[UUID, Path(alias=subject)]  # noqa: N806 - a type, named as one
    Uow = Annotated[Any, Depends(unit_of_work)]  # noqa: N806

    async def listing(limit: LimitParam = page_size, cursor: CursorParam = None) -> tuple[int, Cursor | None]:
        return limit, decode_cursor(cursor)

    Listing = Annotated[tuple[int, Cursor | None], Depends(listing)]  # noqa: N806 - a type, named as one

    @router.get("/comments", response_model=CommentPage)
    async def list_comments(subject_id: SubjectId, caller: CurrentPrincipal, uow: Uow, page: Listing) -> CommentPage:
        """Oldest first."""
        limit, after = page
        return comment_page(await use_cases.list_comments(uow, caller, subject_id, limit=limit + 1, after=after), limit)

    @router.post("/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut, description=told)
    async def add_comment(subject_id: SubjectId, body: CommentIn, caller: CurrentPrincipal, uow: Uow) -> CommentOut:
        return CommentOut.model_validate(await use_cases.add_comment(uow, caller, subject_id, body=body.body))

    @router.get("/attachments", response_model=AttachmentPage)
    async def list_attachments(
        subject_id: SubjectId, caller: CurrentPrincipal, uow: Uow, page: Listing
    ) -> AttachmentPage:
        """Oldest first, without their bytes."""
        limit, after = page
        found = await use_cases.list_attachments(uow, caller, subject_id, limit=limit + 1, after=after)
        return attachment_page(found, limit)

    @router.post("/attachments", status_code=status.HTTP_201_CREATED, response_model=AttachmentOut)
    async def add_attachment(
        subject_id: SubjectId, caller: CurrentPrincipal, uow: Uow, file: ReceivedFile
    ) -> AttachmentOut:
        """Attach a file (PDF, image, XLSX, CSV or text) up to the service's size cap."""
        return AttachmentOut.model_validate(
            await use_cases.add_attachment(uow, caller, subject_id, file.upload, max_bytes=file.max_bytes)
        )

    @router.get("/attachments/{attachment_id}", response_class=Response, responses=DOWNLOAD_RESPONSES)
    async def download_attachment(
        subject_id: SubjectId, attachment_id: UUID, caller: CurrentPrincipal, uow: Uow
    ) -> Response:
        return stored_file(*await use_cases.attachment_content(uow, caller, subject_id, attachment_id))

    return router
