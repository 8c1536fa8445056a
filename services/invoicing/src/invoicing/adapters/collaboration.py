"""Stores the comments and attachments of invoices; both list oldest first, a conversation reads
top to bottom. Attachment bytes are read only when downloaded.

Callers pass an invoice they have already loaded with the caller's scope: these repositories
only ever read below an invoice the caller may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.tables import invoice_attachments, invoice_comments
from invoicing.domain.collaboration import Attachment, Comment
from shared.collaboration import Cursor
from shared.pagination import oldest_first_below
from shared.stored_files import StoredFiles


def _comment(row: Row[Any]) -> Comment:
    return Comment(
        id=row.id,
        invoice_id=row.invoice_id,
        tenant_id=row.tenant_id,
        author_id=row.author_id,
        author_role=row.author_role,
        author_name=row.author_name,
        body=row.body,
        created_at=row.created_at,
    )


def _attachment(row: Row[Any]) -> Attachment:
    return Attachment(
        id=row.id,
        invoice_id=row.invoice_id,
        tenant_id=row.tenant_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
    )


class CommentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, comment: Comment) -> None:
        await self._session.execute(
            insert(invoice_comments).values(
                id=comment.id,
                invoice_id=comment.invoice_id,
                tenant_id=comment.tenant_id,
                author_id=comment.author_id,
                author_role=comment.author_role,
                author_name=comment.author_name,
                body=comment.body,
                created_at=comment.created_at,
            )
        )

    async def list(self, invoice_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Comment]:
        """The invoice's comments strictly after the cursor, oldest first."""
        query = oldest_first_below(
            select(invoice_comments), invoice_comments, "invoice_id", invoice_id, after=after, limit=limit
        )
        return [_comment(row) for row in (await self._session.execute(query)).all()]


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._files = StoredFiles(session, invoice_attachments, "invoice_id")

    async def add(self, attachment: Attachment, content: bytes) -> None:
        await self._files.add(attachment.invoice_id, attachment, content, more={"tenant_id": attachment.tenant_id})

    async def list(self, invoice_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Attachment]:
        """The invoice's files without their bytes, oldest first, strictly after the cursor."""
        return [_attachment(row) for row in await self._files.described(invoice_id, after=after, limit=limit)]

    async def get(self, invoice_id: UUID, attachment_id: UUID) -> tuple[Attachment, bytes]:
        """The file with its bytes; ``NotFound`` unless it is this invoice's."""
        row = await self._files.one(invoice_id, attachment_id)
        return _attachment(row), bytes(row.content)
