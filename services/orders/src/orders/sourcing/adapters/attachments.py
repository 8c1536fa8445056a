"""Stores the files of requests for proposals, both ways: the buyer's documents on an RFP and a
supplier's files on its proposal. Callers pass an owner they loaded with the caller's scope: a file
is only ever read below a request the caller may see."""

from __future__ import annotations

from typing import Generic, TypeVar
from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from orders.domain.errors import AttachmentNotFound
from orders.sourcing.adapters.tables import rfp_attachments, rfp_proposal_attachments
from orders.sourcing.domain.attachment import ProposalAttachment, RfpAttachment
from shared.stored_files import StoredFiles

A = TypeVar("A", RfpAttachment, ProposalAttachment)

# Each kind of file's table and the column of its owner (the kind's field of the same name).
_STORED_IN: dict[type, tuple[Table, str]] = {
    RfpAttachment: (rfp_attachments, "rfp_id"),
    ProposalAttachment: (rfp_proposal_attachments, "proposal_id"),
}


class AttachmentRepository(Generic[A]):
    """The files of one kind; its table's columns are the kind's fields, so a row reads as one."""

    def __init__(self, session: AsyncSession, kind: type[A]) -> None:
        table, self._owner = _STORED_IN[kind]
        self._files = StoredFiles(session, table, self._owner, not_found=AttachmentNotFound)
        self._kind: type[A] = kind

    async def add(self, attachment: A) -> None:
        assert attachment.content is not None
        await self._files.add(getattr(attachment, self._owner), attachment, attachment.content)

    async def list(self, owner_id: UUID) -> list[A]:
        """The owner's files without their bytes, oldest first."""
        return [self._kind(**row._mapping) for row in await self._files.described(owner_id)]

    async def get(self, owner_id: UUID, attachment_id: UUID) -> A:
        """The file with its bytes; ``AttachmentNotFound`` unless it is the owner's."""
        return self._kind(**(await self._files.one(owner_id, attachment_id))._mapping)
