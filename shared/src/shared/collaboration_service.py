"""The use cases of a document's conversation, the same in every service that keeps one: add and
list its comments, add, list and download its files. What differs is the service's own and comes
from its ``ConversationRules``: how a caller reaches the subject (loaded in the caller's scope,
the service's not-found otherwise), whether the caller may write there, and the comment or file
with the event the service records of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from shared.auth import Principal
from shared.collaboration import Attachment, Comment, Cursor, Upload
from shared.uploads import check_upload


class Subject(Protocol):
    """A document with a conversation: its comments and files are stored under its tenant."""

    @property
    def tenant_id(self) -> UUID: ...


S = TypeVar("S", bound=Subject)


class ConversationRules(Protocol[S]):
    async def subject(self, uow: Any, caller: Principal, subject_id: UUID) -> S:
        """The subject the caller follows; the service's not-found error otherwise."""
        ...

    def ensure_writes(self, caller: Principal, subject: S, what: str) -> None:
        """Raises when the caller may read the conversation but not add to it (``what``: "comment"
        or "attachment")."""
        ...

    async def comment(self, uow: Any, caller: Principal, subject: S, body: str, now: datetime) -> Comment:
        """The service's comment with its event."""
        ...

    def attachment(
        self, caller: Principal, subject: S, filename: str, content_type: str, size: int, now: datetime
    ) -> Attachment:
        """The service's file description with its event."""
        ...


class Conversation(Generic[S]):
    def __init__(self, rules: ConversationRules[S]) -> None:
        self._rules = rules

    async def add_comment(self, uow: Any, caller: Principal, subject_id: UUID, *, body: str) -> Comment:
        async with uow:
            subject = await self._rules.subject(uow, caller, subject_id)
            self._rules.ensure_writes(caller, subject, "comment")
            comment = await self._rules.comment(uow, caller, subject, body, datetime.now(UTC))
            await uow.save_comment(comment, tenant_id=subject.tenant_id)
            await uow.commit()
        return comment

    async def list_comments(
        self, uow: Any, caller: Principal, subject_id: UUID, *, limit: int, after: Cursor | None
    ) -> Sequence[Comment]:
        async with uow:
            await self._rules.subject(uow, caller, subject_id)
            return await uow.comments.list(subject_id, limit=limit, after=after)

    async def add_attachment(
        self, uow: Any, caller: Principal, subject_id: UUID, upload: Upload, *, max_bytes: int
    ) -> Attachment:
        async with uow:
            subject = await self._rules.subject(uow, caller, subject_id)
            self._rules.ensure_writes(caller, subject, "attachment")
            filename, content_type = check_upload(
                upload.filename, upload.content_type, upload.content, max_bytes=max_bytes
            )
            attachment = self._rules.attachment(
                caller, subject, filename, content_type, len(upload.content), datetime.now(UTC)
            )
            await uow.save_attachment(attachment, upload.content, tenant_id=subject.tenant_id)
            await uow.commit()
        return attachment

    async def list_attachments(
        self, uow: Any, caller: Principal, subject_id: UUID, *, limit: int, after: Cursor | None
    ) -> Sequence[Attachment]:
        async with uow:
            await self._rules.subject(uow, caller, subject_id)
            return await uow.attachments.list(subject_id, limit=limit, after=after)

    async def attachment_content(
        self, uow: Any, caller: Principal, subject_id: UUID, attachment_id: UUID
    ) -> tuple[Attachment, bytes]:
        async with uow:
            await self._rules.subject(uow, caller, subject_id)
            return await uow.attachments.get(subject_id, attachment_id)
