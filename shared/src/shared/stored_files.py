"""Files kept as bytes in a row below their owner (an invoice, an order, a proposal, an RFP), keyed
by a UUID, and the comments and attachments of a document's conversation
(``shared.collaboration``) on top of them.

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

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    Text,
    Uuid,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from shared.collaboration import Attachment, Comment, Cursor, StoredFile
from shared.errors import NotFound
from shared.outbox import Outbox
from shared.pagination import oldest_first_below


def _below(owner: str, references: str, tenant: bool, listed_by: str | None) -> tuple[list[Any], list[Any]]:
    """The first columns, the owner's (its rows go with it) and, where the table keeps one, the
    tenant's; and the index a page of the owner's rows is read by (``listed_by``; without, the
    owner's column alone is indexed)."""
    columns: list[Any] = [
        Column("id", Uuid, primary_key=True),
        Column(owner, Uuid, ForeignKey(references, ondelete="CASCADE"), nullable=False, index=listed_by is None),
    ]
    if tenant:
        columns.append(Column("tenant_id", Uuid, nullable=False))
    return columns, [] if listed_by is None else [Index(listed_by, owner, "created_at", "id")]


def files_table(
    name: str, metadata: MetaData, owner: str, references: str, *, tenant: bool = False, listed_by: str | None = None
) -> Table:
    """A table of files below their owner (``owner`` the column, ``references`` its "table.id"):
    the columns ``StoredFiles`` reads and writes. The name is ``shared.uploads.safe_filename``'s,
    at most 200 characters."""
    first, index = _below(owner, references, tenant, listed_by)
    return Table(
        name,
        metadata,
        *first,
        Column("filename", String(200), nullable=False),
        Column("content_type", String(100), nullable=False),
        Column("size", Integer, nullable=False),
        Column("content", LargeBinary, nullable=False),
        Column("uploaded_by", Uuid, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        *index,
    )


def comments_table(
    name: str, metadata: MetaData, owner: str, references: str, *, listed_by: str, tenant: bool = False
) -> Table:
    """A table of comments below their subject: the columns ``StoredComments`` reads and writes."""
    first, index = _below(owner, references, tenant, listed_by)
    return Table(
        name,
        metadata,
        *first,
        Column("author_id", Uuid, nullable=False),
        Column("author_role", String(20), nullable=False),
        Column("author_name", String(300)),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        *index,
    )


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


class StoredComments:
    """The comments below one kind of subject, in ``table`` with the subject's id in ``owner``
    (and its tenant, where the table keeps one), listed oldest first: a conversation reads top to
    bottom."""

    def __init__(self, session: AsyncSession, table: Table, owner: str) -> None:
        self._session = session
        self._table = table
        self._owner = owner

    async def add(self, comment: Comment, *, tenant_id: UUID) -> None:
        values = {
            "id": comment.id,
            self._owner: comment.subject_id,
            "author_id": comment.author_id,
            "author_role": comment.author_role,
            "author_name": comment.author_name,
            "body": comment.body,
            "created_at": comment.created_at,
        }
        if "tenant_id" in self._table.c:
            values["tenant_id"] = tenant_id
        await self._session.execute(insert(self._table).values(values))

    async def list(self, subject_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Comment]:
        """The subject's comments strictly after the cursor, oldest first."""
        query = oldest_first_below(select(self._table), self._table, self._owner, subject_id, after=after, limit=limit)
        rows = (await self._session.execute(query)).all()
        return [
            Comment(r.id, r._mapping[self._owner], r.author_id, r.author_role, r.author_name, r.body, r.created_at)
            for r in rows
        ]


class StoredAttachments:
    """The files of one kind of subject's conversation (``StoredFiles`` read as ``Attachment``)."""

    def __init__(
        self, session: AsyncSession, table: Table, owner: str, *, not_found: Callable[[], Exception] = _not_found
    ) -> None:
        self._files = StoredFiles(session, table, owner, not_found=not_found)
        self._owner = owner
        self._tenant = "tenant_id" in table.c

    def _attachment(self, row: Row[Any]) -> Attachment:
        return Attachment(
            row.id, row._mapping[self._owner], row.filename, row.content_type, row.size, row.uploaded_by, row.created_at
        )

    async def add(self, attachment: Attachment, content: bytes, *, tenant_id: UUID) -> None:
        """Stored with the subject's tenant where the table keeps one."""
        more = {"tenant_id": tenant_id} if self._tenant else None
        await self._files.add(attachment.subject_id, attachment, content, more=more)

    async def list(self, subject_id: UUID, *, limit: int, after: Cursor | None) -> Sequence[Attachment]:
        """The subject's files without their bytes, oldest first, strictly after the cursor."""
        return [self._attachment(row) for row in await self._files.described(subject_id, after=after, limit=limit)]

    async def get(self, subject_id: UUID, attachment_id: UUID) -> tuple[Attachment, bytes]:
        """The file with its bytes; the ``not_found`` error unless it is the subject's."""
        row = await self._files.one(subject_id, attachment_id)
        return self._attachment(row), bytes(row.content)


class KeepsConversations:
    """What a unit of work with a conversation does on save: the comment or file is stored, and
    the events it recorded go to the outbox on the same transaction."""

    comments: StoredComments
    attachments: StoredAttachments
    outbox: Outbox

    async def save_comment(self, comment: Comment, *, tenant_id: UUID) -> None:
        await self.comments.add(comment, tenant_id=tenant_id)
        self.outbox.take(comment.events, tenant_id=tenant_id)

    async def save_attachment(self, attachment: Attachment, content: bytes, *, tenant_id: UUID) -> None:
        await self.attachments.add(attachment, content, tenant_id=tenant_id)
        self.outbox.take(attachment.events, tenant_id=tenant_id)
