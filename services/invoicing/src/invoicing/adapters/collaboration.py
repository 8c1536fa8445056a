"""Stores the comments and attachments of invoices; both list oldest first, a conversation reads
top to bottom. Attachment bytes are read only when downloaded.

Callers pass an invoice they have already loaded with the caller's scope: these repositories
only ever read below an invoice the caller may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, Table, insert, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.tables import invoice_attachments, invoice_comments
from invoicing.domain.collaboration import Attachment, Comment
from shared.collaboration import Cursor
from shared.errors import NotFound
from shared.pagination import cursor_values, keyset_after_cursor

_ATTACHMENT_FIELDS = [c for c in invoice_attachments.c if c.name != "content"]


def _oldest_first(query: Select[Any], table: Table, invoice_id: UUID, after: Cursor | None, limit: int) -> Select[Any]:
    """A page of the invoice's rows in (created_at, id) order, strictly after the cursor."""
    created, row_id = table.c.created_at, table.c.id
    following = (
        true() if after is None else keyset_after_cursor(created, row_id, cursor_values(after), oldest_first=True)
    )
    return query.where(table.c.invoice_id == invoice_id, following).order_by(created, row_id).limit(limit)


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
        query = _oldest_first(select(invoice_comments), invoice_comments, invoice_id, after, limit)
        return [_comment(row) for row in (await self._session.execute(query)).all()]


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, attachment: Attachment, content: bytes) -> None:
        await self._session.execute(
            insert(invoice_attachments).values(
                id=attachment.id,
                invoice_id=attachment.invoice_id,
                tenant_id=attachment.tenant_id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                content=content,
                uploaded_by=attachment.uploaded_by,
                created_at=attachment.created_at,
            )
        )

    async def list(self, invoice_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Attachment]:
        """The invoice's files without their bytes, oldest first, strictly after the cursor."""
        query = _oldest_first(select(*_ATTACHMENT_FIELDS), invoice_attachments, invoice_id, after, limit)
        return [_attachment(row) for row in (await self._session.execute(query)).all()]

    async def get(self, invoice_id: UUID, attachment_id: UUID) -> tuple[Attachment, bytes]:
        """The file with its bytes; ``NotFound`` unless it is this invoice's."""
        query = select(invoice_attachments).where(
            invoice_attachments.c.id == attachment_id, invoice_attachments.c.invoice_id == invoice_id
        )
        row = (await self._session.execute(query)).first()
        if row is None:
            raise NotFound("attachment not found")
        return _attachment(row), bytes(row.content)
