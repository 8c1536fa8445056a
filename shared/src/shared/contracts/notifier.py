"""Events of ``notifier.email.v1``: the audit trail of outgoing emails."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from shared.contracts.base import EventPayload

EMAILS_TOPIC = "notifier.email.v1"


class EmailOutcome(EventPayload):
    topic = EMAILS_TOPIC

    email_id: UUID
    tenant_id: UUID
    source_event_id: UUID
    recipient: str
    subject: str
    template: str
    status: Literal["sent", "failed"]
    attempts: int
    error: str | None = None
    at: datetime

    def key(self) -> str:
        return str(self.email_id)


class EmailSent(EmailOutcome):
    event_type = "EmailSent"


class EmailFailed(EmailOutcome):
    event_type = "EmailFailed"


EMAIL_EVENTS: tuple[type[EventPayload], ...] = (EmailSent, EmailFailed)
