"""The conversation on a document, whichever service keeps it: a comment and a file's
description below their subject (an invoice, a purchase order), who writes, how long a comment may
be, a file as a request carried it, and the position a listing goes on after.

Each service keeps its own comments and files below its own documents, in this one design: its
domain subclasses ``Comment`` and ``Attachment`` with an ``on(subject, ...)`` that records the
service's own event (who is told is the service's rule), its unit of work's ``save_comment`` and
``save_attachment`` move those events to the outbox, ``shared.stored_files`` stores both and
``shared.collaboration_api`` answers them over HTTP. Who may see and write a conversation stays the
service's own rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self
from uuid import UUID, uuid4

from shared.auth import Role
from shared.contracts.base import EventPayload
from shared.errors import InvalidInput
from shared.fields import values_of

# The author writes in the role their token gives them.
AuthorRole = Role
MAX_COMMENT_LENGTH = 5000
# (created_at, id) of the last item of the previous page: a listing, oldest first, goes on after it.
Cursor = tuple[datetime, UUID]


def comment_text(body: str, *, refused: type[InvalidInput]) -> str:
    """The comment's text without its surrounding whitespace, as it is stored and announced;
    ``refused`` (the service's own error) when nothing but spaces is left or too much."""
    text = body.strip()
    if not text or len(text) > MAX_COMMENT_LENGTH:
        raise refused(
            f"a comment needs between 1 and {MAX_COMMENT_LENGTH} characters of text",
            errors=[{"field": "body", "message": f"1 to {MAX_COMMENT_LENGTH} characters, not only spaces"}],
        )
    return text


@dataclass(frozen=True)
class Comment:
    """A comment below its subject; ``events`` are what the service announces of it."""

    id: UUID
    subject_id: UUID
    author_id: UUID
    author_role: AuthorRole
    author_name: str | None
    body: str
    created_at: datetime
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def written(
        cls,
        subject_id: UUID,
        author_id: UUID,
        author_role: AuthorRole,
        author_name: str | None,
        body: str,
        *,
        now: datetime,
        refused: type[InvalidInput],
    ) -> Self:
        """A new comment with its checked text (``comment_text``), announced to nobody yet."""
        return cls(uuid4(), subject_id, author_id, author_role, author_name, comment_text(body, refused=refused), now)

    def told(self) -> dict[str, Any]:
        """What every event of a comment says of it; the service's event adds its document."""
        return values_of(("author_id", "author_role", "author_name", "body", "created_at"), self, comment_id=self.id)


@dataclass(frozen=True)
class Attachment:
    """A file's description below its subject; its bytes are stored beside it, by id, never under
    its name. ``events`` are what the service announces of it."""

    id: UUID
    subject_id: UUID
    filename: str
    content_type: str
    size: int
    uploaded_by: UUID
    created_at: datetime
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def added(
        cls, subject_id: UUID, filename: str, content_type: str, size: int, uploaded_by: UUID, *, now: datetime
    ) -> Self:
        """A new file of an upload already checked (``shared.uploads.check_upload`` gave its safe
        name and allowed type), announced to nobody yet."""
        return cls(uuid4(), subject_id, filename, content_type, size, uploaded_by, now)

    def told(self) -> dict[str, Any]:
        """What every event of a file says of it (never its bytes); the service's event adds its document."""
        return values_of(("filename", "content_type", "size", "uploaded_by", "created_at"), self, attachment_id=self.id)


@dataclass(frozen=True)
class Upload:
    """A file as the request carried it: name, type and bytes are checked by the use case
    (``shared.uploads.check_upload``), never trusted as they came."""

    filename: str | None
    content_type: str | None
    content: bytes


class StoredFile(Protocol):
    """What describes a stored file, whoever owns it (an invoice's or an order's attachment, the
    buyer's documents on an RFP, a supplier's files on its proposal): the shape, not the classes,
    so that no owner imports another."""

    @property
    def id(self) -> UUID: ...
    @property
    def filename(self) -> str: ...
    @property
    def content_type(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def uploaded_by(self) -> UUID: ...
    @property
    def created_at(self) -> datetime: ...
