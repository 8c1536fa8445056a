"""Publishing test events to the real broker and reading topics (and their dead letters) back."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaProducer

from portal_dev.testing import on_cluster
from portal_dev.testing import read_topic as read_topic_from_start
from shared.contracts import Envelope, EventPayload


class Publisher:
    def __init__(self, bootstrap_servers: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all", enable_idempotence=False)

    async def __aenter__(self) -> Publisher:
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._producer.stop()

    async def publish(self, payload: EventPayload, *, tenant_id: UUID, envelope: Envelope | None = None) -> Envelope:
        """Publish ``payload`` (or send ``envelope`` again, as a redelivery); returns the envelope."""
        envelope = envelope or Envelope.wrap(payload, tenant_id=tenant_id, producer="test")
        await self.raw(payload.topic, envelope.model_dump_json().encode(), key=payload.key())
        return envelope

    async def raw(self, topic: str, value: bytes, *, key: str | None = None) -> None:
        await self._producer.send_and_wait(on_cluster(topic), value=value, key=key.encode() if key else None)


async def read_topic(bootstrap_servers: str, topic: str, count: int, *, timeout_s: float = 30.0) -> list[Any]:
    """At least ``count`` records of ``topic`` from the beginning (the raw aiokafka records), read
    without a consumer group: no group join to wait for."""
    return await read_topic_from_start(bootstrap_servers, topic, count, timeout_s=timeout_s)


async def read_events(bootstrap_servers: str, topic: str, count: int) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in await read_topic(bootstrap_servers, topic, count)]
