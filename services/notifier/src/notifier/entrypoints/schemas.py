"""Response bodies of the notifier API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from notifier.adapters.repository import EmailSummary
from notifier.domain.model import EmailStatus
from shared.fields import made_of


class EmailOut(BaseModel):
    id: UUID
    source_event_id: UUID
    recipient: str
    subject: str
    template: str
    status: EmailStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, email: EmailSummary) -> EmailOut:
        # Only a pending email has a next attempt.
        return made_of(cls, email, next_attempt_at=email.next_attempt_at if email.status == "pending" else None)


class EmailPage(BaseModel):
    items: list[EmailOut]
    next_cursor: str | None = None
