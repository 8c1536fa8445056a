"""The service's wiring: its settings, and a handler for every event of every topic it consumes."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest

from matching.config import Settings
from matching.entrypoints.consumers import consumers
from shared.contracts import topic_of
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.contracts.invoicing import INVOICES_TOPIC, InvoiceSnapshot
from shared.contracts.orders import PURCHASE_ORDERS_TOPIC, PurchaseOrderSnapshot
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot

# Matching reads the state of invoices, orders, suppliers and organisations; the conversation around them
# (comments, attachments) does not change a verdict and is acknowledged unread.
STATE = (InvoiceSnapshot, PurchaseOrderSnapshot, SupplierSnapshot, OrganisationSettingsChanged)


def test_settings_default_to_the_matching_database_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHING_DATABASE_URL", raising=False)
    monkeypatch.delenv("MATCHING_HTTP_PORT", raising=False)
    settings = Settings()

    assert settings.http_port == 8104
    assert settings.database_url.endswith("/portal_matching")
    assert settings.service_name == "matching"


def test_settings_are_read_with_the_matching_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHING_HTTP_PORT", "9999")
    monkeypatch.setenv("MATCHING_DATABASE_URL", "postgresql://db.example/matching")

    settings = Settings()

    assert settings.http_port == 9999
    assert settings.database_url == "postgresql+asyncpg://db.example/matching"


def test_every_state_event_of_every_consumed_topic_has_a_handler_and_conversation_is_ignored() -> None:
    runtime = SimpleNamespace(settings=Settings(), session_factory=None, kafka_producer=lambda: None)

    wired = consumers(runtime)  # type: ignore[arg-type]

    assert sorted(c.topic for c in wired) == sorted(
        [INVOICES_TOPIC, PURCHASE_ORDERS_TOPIC, SUPPLIERS_TOPIC, ORGANISATIONS_TOPIC]
    )
    assert len({c.group for c in wired}) == len(wired)
    for consumer in wired:
        for event_type in topic_of(consumer.topic).events.values():
            payload_type = next((t for t in consumer.handlers if issubclass(event_type, t)), None)
            if issubclass(event_type, STATE):
                assert payload_type is not None, f"{event_type.__name__} on {consumer.topic} has no handler"
            else:
                assert payload_type is None, f"{event_type.__name__} on {consumer.topic} should be ignored"


def test_invoice_submissions_are_matched_and_other_invoice_events_only_update_the_read_model() -> None:
    runtime = SimpleNamespace(settings=Settings(), session_factory=None, kafka_producer=lambda: None)
    [invoices] = [c for c in consumers(runtime) if c.topic == INVOICES_TOPIC]  # type: ignore[arg-type]

    handler_names = {
        name: invoices._handler_for(event.model_construct()).__name__  # type: ignore[union-attr]
        for name, event in topic_of(INVOICES_TOPIC).events.items()
        if issubclass(event, InvoiceSnapshot)
    }

    assert handler_names.pop("InvoiceSubmitted") == "on_invoice_submitted"
    assert set(handler_names.values()) == {"on_invoice_changed"}


def test_both_consumers_that_lock_an_orders_row_serialise_their_batches_on_the_order() -> None:
    """The orders' consumer stores snapshots and the invoices' consumer matches against them, each
    locking order rows in the order its events came: their batches take the orders' locks first
    in one shared order (``serialise_by``), so that they wait for each other instead of deadlocking.
    Every state event of both topics names its order so."""
    runtime = SimpleNamespace(settings=Settings(), session_factory=None, kafka_producer=lambda: None)
    wired = {c.topic: c for c in consumers(runtime)}  # type: ignore[arg-type]
    order = uuid4()

    for topic in (INVOICES_TOPIC, PURCHASE_ORDERS_TOPIC):
        serialise_by = wired[topic].serialise_by
        assert serialise_by is not None
        for event_type in topic_of(topic).events.values():
            if issubclass(event_type, STATE):
                event = event_type.model_construct(purchase_order_id=order)
                assert serialise_by(event) == f"purchase_order:{order}", event_type.__name__
    assert wired[SUPPLIERS_TOPIC].serialise_by is None
    assert wired[ORGANISATIONS_TOPIC].serialise_by is None
