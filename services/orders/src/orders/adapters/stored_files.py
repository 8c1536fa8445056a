"""Files kept as bytes in a row below their owner (an order, a proposal, an RFP), keyed by a UUID.

The one way the orders database stores, lists and reads uploaded files: every file table has the
same columns (``id``, the owner's id, ``filename``, ``content_type``, ``size``, ``content``,
``uploaded_by``, ``created_at``). A listing never reads the bytes; callers reach a file only
through an owner they have already loaded with the caller's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Table, and_, insert, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from orders.domain.collaboration import StoredFile
from orders.domain.errors import AttachmentNotFound


class StoredFiles:
    def __init__(self, session: AsyncSession, table: Table, owner: str) -> None:
        self._session = session
        self._table = table
        self._owner = table.c[owner]
        self._described = [c for c in table.c if c.name != "content"]

    async def add(self, owner_id: UUID, file: StoredFile, content: bytes) -> None:
        await self._session.execute(
            insert(self._table).values(
                {
                    self._table.c.id: file.id,
                    self._owner: owner_id,
                    self._table.c.filename: file.filename,
                    self._table.c.content_type: file.content_type,
                    self._table.c.size: len(content),
                    self._table.c.content: content,
                    self._table.c.uploaded_by: file.uploaded_by,
                    self._table.c.created_at: file.created_at,
                }
            )
        )

    async def described(
        self, owner_id: UUID, *, after: tuple[datetime, UUID] | None = None, limit: int | None = None
    ) -> Sequence[Row[Any]]:
        """The owner's files without their bytes, oldest first, strictly after the cursor."""
        created, file_id = self._table.c.created_at, self._table.c.id
        following = true() if after is None else or_(created > after[0], and_(created == after[0], file_id > after[1]))
        query = (
            select(*self._described)
            .where(self._owner == owner_id, following)
            .order_by(created.asc(), file_id.asc())
            .limit(limit)
        )
        return (await self._session.execute(query)).all()

    async def one(self, owner_id: UUID, file_id: UUID) -> Row[Any]:
        """The file with its bytes; ``AttachmentNotFound`` unless it is the owner's."""
        query = select(self._table).where(self._table.c.id == file_id, self._owner == owner_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            raise AttachmentNotFound()
        return row
