"""The records of one fetch, each acknowledged on its own, and the offset bookkeeping of a batch:
one commit after the last handled record of each partition, or a seek back to the first that was
not, so that nothing after a record is committed before it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError
from faststream.message import AckStatus


@dataclass
class Delivery:
    """A record of a fetched batch, acknowledged on its own: ``ack`` commits the offset after it
    on its partition (FastStream's ``ack`` commits every fetched record), ``nack`` seeks back to it."""

    consumer: AIOKafkaConsumer
    raw_message: ConsumerRecord[Any, Any]
    committed: AckStatus | None = None

    @property
    def partition(self) -> TopicPartition:
        return TopicPartition(self.raw_message.topic, self.raw_message.partition)

    async def ack(self) -> None:
        if self.committed is None:
            await self.consumer.commit({self.partition: self.raw_message.offset + 1})
            self.committed = AckStatus.ACKED

    async def nack(self) -> None:
        if self.committed is None:
            self.consumer.seek(self.partition, self.raw_message.offset)
            self.committed = AckStatus.NACKED


async def commit_offsets(deliveries: Sequence[Delivery]) -> BaseException | None:
    """One offset commit for handled ``deliveries``, after the last of each partition; the error
    when the group had moved on (the events come again, and the inbox makes them no-ops)."""
    if not deliveries:
        return None
    offsets: dict[TopicPartition, int] = {}
    for delivery in deliveries:
        offsets[delivery.partition] = max(offsets.get(delivery.partition, 0), delivery.raw_message.offset + 1)
    try:
        await deliveries[0].consumer.commit(offsets)
    except (CommitFailedError, IllegalStateError) as exc:
        return exc
    for delivery in deliveries:
        delivery.committed = AckStatus.ACKED
    return None


def rewind(kafka: AIOKafkaConsumer, deliveries: Sequence[Delivery]) -> None:
    """Seek each partition back to the earliest of ``deliveries`` on it: the next fetch
    delivers them again, and nothing after them is committed before they are."""
    earliest: dict[TopicPartition, int] = {}
    for delivery in deliveries:
        offset = earliest.get(delivery.partition)
        if offset is None or delivery.raw_message.offset < offset:
            earliest[delivery.partition] = delivery.raw_message.offset
    for partition, offset in earliest.items():
        # A partition revoked meanwhile is not ours to rewind: its new owner starts from the commit.
        with contextlib.suppress(IllegalStateError):
            kafka.seek(partition, offset)
