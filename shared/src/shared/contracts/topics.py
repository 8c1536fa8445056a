"""The topic catalogue: partitions, retention, compaction and the events each topic carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.base import EventPayload
from shared.contracts.envelope import UnknownEventType
from shared.contracts.identity import (
    ACCOUNT_EVENTS,
    ACCOUNTS_TOPIC,
    INVITATION_EVENTS,
    INVITATIONS_TOPIC,
    ORGANISATION_EVENTS,
    ORGANISATIONS_TOPIC,
    USER_EVENTS,
    USERS_TOPIC,
)
from shared.contracts.invoicing import INVOICE_EVENTS, INVOICES_TOPIC
from shared.contracts.matching import VERDICT_EVENTS, VERDICTS_TOPIC
from shared.contracts.notifier import EMAIL_EVENTS, EMAILS_TOPIC
from shared.contracts.orders import PURCHASE_ORDER_EVENTS, PURCHASE_ORDERS_TOPIC
from shared.contracts.rfps import RFP_EVENTS, RFPS_TOPIC
from shared.contracts.suppliers import SUPPLIER_EVENTS, SUPPLIERS_TOPIC

DLQ_SUFFIX = ".dlq"


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    key: str
    producer: str
    compacted: bool = False
    retention_days: int = 30
    events: dict[str, type[EventPayload]] = field(default_factory=dict)
    # An invoice's way from submit to its verdict and email waits on this topic's events: its
    # consumers fetch with ``kafka_fetch_max_wait_ms``, the others' with the quiet wait.
    pipeline: bool = False


def _topic(
    name: str, partitions: int, key: str, producer: str, events: Iterable[type[EventPayload]], **kw: Any
) -> Topic:
    return Topic(name, partitions, key, producer, events={e.event_type: e for e in events}, **kw)


TOPICS: dict[str, Topic] = {
    t.name: t
    for t in (
        _topic(SUPPLIERS_TOPIC, 3, "supplier id", "suppliers", SUPPLIER_EVENTS, compacted=True),
        _topic(PURCHASE_ORDERS_TOPIC, 6, "purchase order id", "orders", PURCHASE_ORDER_EVENTS, pipeline=True),
        _topic(RFPS_TOPIC, 3, "rfp id", "orders", RFP_EVENTS),
        _topic(INVOICES_TOPIC, 6, "purchase order id", "invoicing", INVOICE_EVENTS, pipeline=True),
        _topic(VERDICTS_TOPIC, 6, "purchase order id", "matching", VERDICT_EVENTS, pipeline=True),
        _topic(EMAILS_TOPIC, 3, "email id", "notifier", EMAIL_EVENTS, retention_days=7),
        _topic(USERS_TOPIC, 3, "user id", "gateway", USER_EVENTS, compacted=True),
        _topic(INVITATIONS_TOPIC, 3, "supplier id", "gateway", INVITATION_EVENTS, retention_days=14),
        _topic(ACCOUNTS_TOPIC, 3, "user id", "gateway", ACCOUNT_EVENTS, retention_days=1),
        _topic(ORGANISATIONS_TOPIC, 1, "tenant id", "gateway", ORGANISATION_EVENTS, compacted=True),
    )
}

_PAYLOADS: dict[str, type[EventPayload]] = {
    event_type: model for topic in TOPICS.values() for event_type, model in topic.events.items()
}


def topic_of(name: str) -> Topic:
    try:
        return TOPICS[name]
    except KeyError:
        raise KeyError(f"unknown topic {name!r}") from None


def payload_type(event_type: str) -> type[EventPayload]:
    try:
        return _PAYLOADS[event_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r}") from None


def dlq_topic(name: str) -> str:
    return name + DLQ_SUFFIX


def all_topic_names() -> list[str]:
    """Every topic and its dead-letter topic, as provisioning creates them."""
    return [n for t in TOPICS for n in (t, dlq_topic(t))]
