"""Stores the buyer's documents on its RFPs. Callers pass an RFP they loaded with the caller's
scope: a document is only ever read below a request the caller may see."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from orders.adapters.stored_files import StoredFiles
from orders.sourcing.adapters.tables import rfp_attachments
from orders.sourcing.domain.attachment import RfpAttachment
from orders.sourcing.domain.errors import RfpAttachmentNotFound


class RfpAttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._files = StoredFiles(session, rfp_attachments, "rfp_id")

    async def add(self, attachment: RfpAttachment) -> None:
        assert attachment.content is not None
        await self._files.add(
            attachment.rfp_id,
            file_id=attachment.id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            content=attachment.content,
            uploaded_by=attachment.uploaded_by,
            created_at=attachment.created_at,
        )

    async def list(self, rfp_id: UUID) -> list[RfpAttachment]:
        """The request's documents without their bytes, oldest first."""
        return [_attachment(row) for row in await self._files.described(rfp_id)]

    async def get(self, rfp_id: UUID, attachment_id: UUID) -> RfpAttachment:
        row = await self._files.one(rfp_id, attachment_id)
        if row is None:
            raise RfpAttachmentNotFound()
        return _attachment(row, content=bytes(row.content))


def _attachment(row: Row[Any], content: bytes | None = None) -> RfpAttachment:
    return RfpAttachment(
        id=row.id,
        rfp_id=row.rfp_id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        uploaded_by=row.uploaded_by,
        created_at=row.created_at,
        content=content,
    )
