"""The envelope every message travels in, and decoding of raw Kafka values into typed events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import EventPayload


class UnknownEventType(ValueError):
    """The message names an event type that its topic does not carry."""


class TenantMismatch(ValueError):
    """An event whose envelope names another tenant than its payload does."""


class Envelope(BaseModel):
    """Metadata around one event; ``data`` holds the typed payload as JSON."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: UUID = Field(default_factory=uuid4)
    type: str
    version: int = 1
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    tenant_id: UUID
    correlation_id: str
    causation_id: UUID | None = None
    producer: str
    data: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        payload: EventPayload,
        *,
        tenant_id: UUID,
        producer: str,
        correlation_id: str | None = None,
        causation_id: UUID | None = None,
    ) -> Envelope:
        event_id = uuid4()
        return cls(
            id=event_id,
            type=payload.event_type,
            version=payload.version,
            tenant_id=tenant_id,
            correlation_id=correlation_id or str(event_id),
            causation_id=causation_id,
            producer=producer,
            data=payload.model_dump(mode="json"),
        )

    def headers(self) -> dict[str, str]:
        return {"type": self.type, "id": str(self.id), "correlation_id": self.correlation_id}

    def payload(self) -> EventPayload:
        """The typed payload; raises ``UnknownEventType`` or a ``ValidationError``."""
        from shared.contracts.topics import payload_type

        return payload_type(self.type).model_validate(self.data)


def decode_event(raw: bytes, topic: str) -> tuple[Envelope, EventPayload]:
    """Parse a raw Kafka value from ``topic`` into its envelope and typed payload.

    Raises ``ValueError`` (including pydantic's ``ValidationError``) for anything that is not a
    valid event of that topic, so the caller can send it to the dead-letter topic: among them an
    event whose payload names a tenant other than its envelope's (``TenantMismatch``).
    """
    from shared.contracts.topics import topic_of

    envelope = Envelope.model_validate_json(raw)
    if envelope.type not in topic_of(topic).events:
        raise UnknownEventType(f"{envelope.type!r} is not an event of {topic}")
    payload = envelope.payload()
    claimed = getattr(payload, "tenant_id", None)
    if isinstance(claimed, UUID) and claimed != envelope.tenant_id:
        # One of the two lies: no consumer may file the payload under either tenant.
        raise TenantMismatch(f"the envelope's tenant {envelope.tenant_id} is not the payload's {claimed}")
    return envelope, payload
