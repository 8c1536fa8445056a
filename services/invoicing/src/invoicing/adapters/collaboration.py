"""Comments and attachments of invoices. Attachment bytes are read only when downloaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, Table, insert, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from invoicing.adapters.tables import invoice_attachments, invoice_comments
from invoicing.domain.attachments import Attachment
from invoicing.domain.comments import Comment

_ATTACHMENT_FIELDS = [c for c in invoice_attachments.c if c.name != "content"]
After = tuple[datetime, UUID] | None


def _oldest_first(query: Select[Any], table: Table, invoice_id: UUID, after: After, limit: int) -> Select[Any]:
    """A page of the invoice's rows in (created_at, id) order, strictly after the cursor."""
    later = tuple_(table.c.created_at, table.c.id) > tuple_(*after) if after else true()
    return query.where(table.c.invoice_id == invoice_id, later).order_by(table.c.created_at, table.c.id).limit(limit)


class CommentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, comment: Comment) -> None:
        await self._session.execute(insert(invoice_comments).values(vars(comment)))

    async def of_invoice(self, invoice_id: UUID, *, after: After, limit: int) -> Sequence[Comment]:
        """Oldest first: a conversation reads top to bottom."""
        query = _oldest_first(select(invoice_comments), invoice_comments, invoice_id, after, limit)
        return [Comment(**row._mapping) for row in (await self._session.execute(query)).all()]


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, attachment: Attachment, content: bytes) -> None:
        await self._session.execute(insert(invoice_attachments).values(**vars(attachment), content=content))

    async def of_invoice(self, invoice_id: UUID, *, after: After, limit: int) -> Sequence[Attachment]:
        query = _oldest_first(select(*_ATTACHMENT_FIELDS), invoice_attachments, invoice_id, after, limit)
        return [_attachment(row) for row in (await self._session.execute(query)).all()]

    async def get(self, invoice_id: UUID, attachment_id: UUID) -> tuple[Attachment, bytes] | None:
        query = select(invoice_attachments).where(
            invoice_attachments.c.id == attachment_id, invoice_attachments.c.invoice_id == invoice_id
        )
        row = (await self._session.execute(query)).first()
        return (_attachment(row), row.content) if row is not None else None


def _attachment(row: Row) -> Attachment:
    return Attachment(**{c.name: row._mapping[c.name] for c in _ATTACHMENT_FIELDS})
