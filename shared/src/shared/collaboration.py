"""What every conversation on a document has in common, whichever service keeps it: who writes
a comment, how long it may be, the one check of its text, a file as a request carried it, and
the position a listing goes on after.

Each service keeps its own comments and files below its own documents, in one design: the domain
objects ``Comment.on(subject, ...)`` and ``Attachment.on(subject, ...)`` record the service's
events, the unit of work's ``save_comment`` and ``save_attachment`` move them to the outbox, and
the repositories and use cases have the same names and signatures in every service. Who may see
and write a conversation stays the service's own rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from shared.auth import Role
from shared.errors import InvalidInput

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
