"""Event contracts of every topic: the envelope, the payloads, the topic catalogue.

Consumers depend on these models; producers build them. Payloads are frozen and read with
``extra="ignore"`` so that an additive change never breaks a consumer.
"""

from shared.contracts.envelope import Envelope, EventPayload, UnknownEventType, decode_event
from shared.contracts.topics import TOPICS, Topic, dlq_topic, topic_of

__all__ = [
    "TOPICS",
    "Envelope",
    "EventPayload",
    "Topic",
    "UnknownEventType",
    "decode_event",
    "dlq_topic",
    "topic_of",
]
