"""Dead letters: reading ``<topic>.dlq``, choosing what to replay, replaying it, remembering that.

A consumer that gives up on a message writes it to ``<topic>.dlq`` with its key, value and
headers plus ``dlq.*`` headers saying why (``shared.messaging``). A replay publishes the message
again to the topic it came from with its original key and headers (the ``dlq.*`` ones removed,
``dlq.replayed_from`` added), so its consumers get it again in the partition of its key.

What was replayed is recorded in the dead-letter topic itself: after each message is published
(``acks="all"``) a replay record follows on the ``.dlq`` topic, with header ``dlq.replay_of``
naming the dead letter's partition and offset. The record lives and expires with the dead
letters it describes, works on any Kafka-protocol broker, and says who replayed what and when.
A crash between publishing and recording means the next replay publishes that message once more;
the consumers' inbox makes such a duplicate a no-op.
"""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contracts.topics import DLQ_SUFFIX, TOPICS, dlq_topic
from shared.kafka import KafkaClientSecurity

DLQ_PREFIX = "dlq."
REPLAY_OF = "dlq.replay_of"
REPLAYED_FROM = "dlq.replayed_from"
KEY_PREVIEW = 48  # a UUID key whole

Position = tuple[int, int]  # (partition, offset) in the .dlq topic


class UnknownTopic(ValueError):
    pass


def dead_letter_topic(name: str) -> str:
    """The ``.dlq`` topic of ``name``, which may be the topic or its dead-letter topic."""
    base = name.removesuffix(DLQ_SUFFIX)
    if base not in TOPICS:
        raise UnknownTopic(f"unknown topic {name!r}; known: {', '.join(sorted(TOPICS))}")
    return dlq_topic(base)


@dataclass(frozen=True)
class DeadLetter:
    topic: str  # the .dlq topic it was read from
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    timestamp_ms: int = 0

    @property
    def position(self) -> Position:
        return (self.partition, self.offset)

    def header(self, name: str) -> str | None:
        """The last value of a header: a message dead-lettered twice carries the newest last."""
        values = [v for k, v in self.headers if k == name]
        return values[-1].decode(errors="replace") if values else None

    @property
    def is_replay_record(self) -> bool:
        return self.header(REPLAY_OF) is not None

    @property
    def original_topic(self) -> str:
        """The catalogue's name of the topic it came from."""
        return self.header("dlq.topic") or self.topic.removesuffix(DLQ_SUFFIX)

    @property
    def replay_topic(self) -> str:
        """The original topic as the cluster names it: with what the ``.dlq`` topic's name has
        before the catalogue's name (the portal's ``KAFKA_TOPIC_PREFIX``)."""
        own_dlq = dlq_topic(self.original_topic)
        prefix = self.topic.removesuffix(own_dlq) if self.topic.endswith(own_dlq) else ""
        return prefix + self.original_topic

    @property
    def when(self) -> str:
        if not self.timestamp_ms:
            return "–"
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")

    def error_summary(self, width: int = 160) -> str:
        error_type = self.header("dlq.error_type") or "error"
        error = " ".join((self.header("dlq.error") or "(no dlq.error header)").split())
        text = f"{error_type}: {error}"
        return text if len(text) <= width else text[: width - 1] + "…"

    def key_text(self) -> str:
        if self.key is None:
            return "–"
        text = self.key.decode(errors="replace")
        return text if len(text) <= KEY_PREVIEW else text[: KEY_PREVIEW - 1] + "…"

    def replay_headers(self) -> list[tuple[str, bytes]]:
        """The original headers without the ``dlq.*`` ones, and where this replay came from."""
        kept = [(k, v) for k, v in self.headers if not k.startswith(DLQ_PREFIX)]
        return [*kept, (REPLAYED_FROM, f"{self.topic}:{self.partition}:{self.offset}".encode())]


@dataclass
class DeadLetterTopic:
    """Everything on one ``.dlq`` topic: the dead letters and which of them were replayed."""

    name: str
    dead_letters: list[DeadLetter] = field(default_factory=list)
    replayed: dict[Position, str] = field(default_factory=dict)  # position → when and by whom

    @classmethod
    def of(cls, name: str, records: Iterable[DeadLetter]) -> DeadLetterTopic:
        topic = cls(name)
        for record in records:
            if record.is_replay_record:
                topic.replayed[_position(record.header(REPLAY_OF) or "")] = _replay_note(record)
            else:
                topic.dead_letters.append(record)
        topic.dead_letters.sort(key=lambda d: d.position)
        return topic

    def waiting(self) -> list[DeadLetter]:
        return [d for d in self.dead_letters if d.position not in self.replayed]


def _position(text: str) -> Position:
    partition, _, offset = text.partition(":")
    return (int(partition), int(offset))


def _replay_note(record: DeadLetter) -> str:
    try:
        body = json.loads(record.value)
        return f"{body.get('replayed_at', record.when)} by {body.get('by', '?')}"
    except ValueError:
        return record.when


def parse_positions(values: Iterable[str]) -> list[Position]:
    """``N`` (partition 0, as every ``.dlq`` topic has one partition) or ``P:N``."""
    positions = []
    for value in values:
        text = value.strip()
        try:
            positions.append(_position(text) if ":" in text else (0, int(text)))
        except ValueError:
            raise ValueError(f"{value!r} is not an offset (N or PARTITION:N)") from None
    return positions


@dataclass
class Selection:
    replay: list[DeadLetter] = field(default_factory=list)
    already_replayed: list[DeadLetter] = field(default_factory=list)
    not_dead_letters: list[Position] = field(default_factory=list)  # missing, expired or replay records


def select(topic: DeadLetterTopic, *, every: bool, positions: list[Position], again: bool = False) -> Selection:
    """What a replay publishes: every dead letter (``every``) or those at ``positions``; one
    already replayed only with ``again``."""
    by_position = {d.position: d for d in topic.dead_letters}
    chosen: list[DeadLetter] = []
    selection = Selection()
    if every:
        chosen = list(topic.dead_letters)
    for position in positions:
        if position in by_position:
            if by_position[position] not in chosen:
                chosen.append(by_position[position])
        else:
            selection.not_dead_letters.append(position)
    for dead_letter in chosen:
        if dead_letter.position in topic.replayed and not again:
            selection.already_replayed.append(dead_letter)
        else:
            selection.replay.append(dead_letter)
    selection.replay.sort(key=lambda d: d.position)
    return selection


# -- the broker -----------------------------------------------------------------------------------
async def read_dead_letter_topics(
    bootstrap_servers: str, names: list[str], *, security: KafkaClientSecurity, timeout_s: float = 30.0
) -> dict[str, DeadLetterTopic]:
    """Every record of the ``names`` topics up to their current end; a topic the broker does not
    have is left out."""
    import asyncio

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        request_timeout_ms=int(timeout_s * 1000),
        client_id="portal-cli",
        **security.client_options(),
    )
    records: dict[str, list[DeadLetter]] = {name: [] for name in names}
    try:
        await consumer.start()
        existing = await consumer.topics()
        partitions = [
            TopicPartition(name, p)
            for name in names
            if name in existing
            for p in consumer.partitions_for_topic(name) or ()
        ]
        if not partitions:
            return {}
        consumer.assign(partitions)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(partitions)
        deadline = asyncio.get_running_loop().time() + timeout_s
        pending = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
        while pending:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {', '.join(sorted({tp.topic for tp in pending}))} in {timeout_s}s")
            batch = await consumer.getmany(*pending, timeout_ms=200, max_records=2000)
            for tp, messages in batch.items():
                for m in messages:
                    if m.offset < ends[tp]:
                        records[tp.topic].append(
                            DeadLetter(
                                tp.topic,
                                tp.partition,
                                m.offset,
                                m.key,
                                m.value or b"",
                                tuple(m.headers or ()),
                                m.timestamp or 0,
                            )
                        )
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    present = {tp.topic for tp in partitions}
    return {name: DeadLetterTopic.of(name, records[name]) for name in names if name in present}


def _operator() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (KeyError, OSError):
        return "unknown"


async def replay(
    bootstrap_servers: str,
    dead_letters: list[DeadLetter],
    *,
    security: KafkaClientSecurity,
    enable_idempotence: bool = False,
) -> int:
    """Publish each dead letter to its original topic, then record the replay; returns how many."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=enable_idempotence,
        client_id="portal-cli",
        request_timeout_ms=15000,
        **security.client_options(),
    )
    done = 0
    try:
        await producer.start()
        for dead_letter in dead_letters:
            await producer.send_and_wait(
                dead_letter.replay_topic,
                value=dead_letter.value,
                key=dead_letter.key,
                headers=dead_letter.replay_headers(),
            )
            record = {
                "replay_of": {"partition": dead_letter.partition, "offset": dead_letter.offset},
                "topic": dead_letter.replay_topic,
                "replayed_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"),
                "by": _operator(),
            }
            await producer.send_and_wait(
                dead_letter.topic,
                value=json.dumps(record).encode(),
                key=dead_letter.key,
                headers=[(REPLAY_OF, f"{dead_letter.partition}:{dead_letter.offset}".encode())],
            )
            done += 1
    finally:
        await producer.stop()
    return done
