"""Stores the comments and attachments of purchase orders; both list oldest first.

Callers pass an order they have already loaded with the caller's scope: these repositories
only ever read below an order the caller may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters.tables import purchase_order_attachments, purchase_order_comments
from orders.domain.collaboration import Attachment, Comment
from orders.domain.errors import AttachmentNotFound
from shared.collaboration import Cursor
from shared.pagination import oldest_first_below
from shared.stored_files import StoredFiles


def _comment(row: Row[Any]) -> Comment:
    return Comment(
        id=row.id,
        purchase_order_id=row.purchase_order_id,
        author_id=row.author_id,
        author_role=row.author_role,
        author_name=row.author_name,
        body=row.body,
        created_at=row.created_at,
    )


def _attachment(row: Row[Any]) -> Attachment:
    return Attachment(
        id=row.id,
        purchase_order_id=row.purchase_order_id,
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
            insert(purchase_order_comments).values(
                id=comment.id,
                purchase_order_id=comment.purchase_order_id,
                author_id=comment.author_id,
                author_role=comment.author_role,
                author_name=comment.author_name,
                body=comment.body,
                created_at=comment.created_at,
            )
        )

    async def list(self, order_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Comment]:
        """The order's comments strictly after the cursor, oldest first: (created_at, id) ascending."""
        query = oldest_first_below(
            select(purchase_order_comments),
            purchase_order_comments,
            "purchase_order_id",
            order_id,
            after=after,
            limit=limit,
        )
        return [_comment(row) for row in (await self._session.execute(query)).all()]


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._files = StoredFiles(
            session, purchase_order_attachments, "purchase_order_id", not_found=AttachmentNotFound
        )

    async def add(self, attachment: Attachment, content: bytes) -> None:
        await self._files.add(attachment.purchase_order_id, attachment, content)

    async def list(self, order_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Attachment]:
        """The order's files without their bytes, oldest first, strictly after the cursor."""
        return [_attachment(row) for row in await self._files.described(order_id, after=after, limit=limit)]

    async def get(self, order_id: UUID, attachment_id: UUID) -> tuple[Attachment, bytes]:
        """The file with its bytes; ``AttachmentNotFound`` unless it is this order's."""
        row = await self._files.one(order_id, attachment_id)
        return _attachment(row), bytes(row.content)
