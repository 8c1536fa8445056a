"""Files kept as bytes in a row below their owner (an invoice, an order, a proposal, an RFP), keyed
by a UUID.

The one way a service's database stores, lists and reads uploaded files: every file table has the
same columns (``id``, the owner's id, ``filename``, ``content_type``, ``size``, ``content``,
``uploaded_by``, ``created_at``, and any the service adds, given to ``add``). A listing never reads
the bytes; callers reach a file only through an owner they have already loaded with the caller's
scope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.collaboration import StoredFile
from shared.errors import NotFound
from shared.pagination import oldest_first_below


def _not_found() -> Exception:
    return NotFound("attachment not found")


class StoredFiles:
    def __init__(
        self, session: AsyncSession, table: Table, owner: str, *, not_found: Callable[[], Exception] = _not_found
    ) -> None:
        """``not_found`` makes the error a file that is not the owner's raises (the service's own)."""
        self._session = session
        self._table = table
        self._owner_name = owner
        self._owner = table.c[owner]
        self._described = [c for c in table.c if c.name != "content"]
        self._not_found = not_found

    async def add(
        self, owner_id: UUID, file: StoredFile, content: bytes, *, more: Mapping[str, Any] | None = None
    ) -> None:
        """``more``: the values of the columns the service's table adds (its tenant, say)."""
        await self._session.execute(
            insert(self._table).values(
                {
                    **{self._table.c[name]: value for name, value in (more or {}).items()},
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
        query = oldest_first_below(
            select(*self._described), self._table, self._owner_name, owner_id, after=after, limit=limit
        )
        return (await self._session.execute(query)).all()

    async def one(self, owner_id: UUID, file_id: UUID) -> Row[Any]:
        """The file with its bytes; the ``not_found`` error unless it is the owner's."""
        query = select(self._table).where(self._table.c.id == file_id, self._owner == owner_id)
        row = (await self._session.execute(query)).first()
        if row is None:
            raise self._not_found()
        return row
