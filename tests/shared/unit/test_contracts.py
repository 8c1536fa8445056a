"""Event contracts: the envelope round-trips, money travels as strings, unknown types are refused."""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.contracts import TOPICS, Envelope, UnknownEventType, decode_event
from shared.contracts.envelope import TenantMismatch
from shared.contracts.identity import UserRegistered
from shared.contracts.suppliers import SupplierCreated

TENANT = uuid.uuid4()


def supplier_created(**overrides: object) -> SupplierCreated:
    fields = {
        "supplier_id": uuid.uuid4(),
        "tenant_id": TENANT,
        "name": "Acme",
        "email": "a@acme.example",
        "currency": "EUR",
        "tolerance_rate": Decimal("5.5"),
        "portal_status": "not_invited",
        "revision": 1,
        "updated_at": datetime.now(UTC),
    }
    return SupplierCreated(**{**fields, **overrides})


def test_an_event_round_trips_through_its_envelope_with_money_as_a_string() -> None:
    payload = supplier_created()
    raw = Envelope.wrap(payload, tenant_id=TENANT, producer="suppliers", correlation_id="req-1").model_dump_json()
    assert json.loads(raw)["data"]["tolerance_rate"] == "5.5"
    envelope, decoded = decode_event(raw.encode(), "suppliers.supplier.v1")
    assert decoded == payload
    assert envelope.correlation_id == "req-1" and envelope.type == "SupplierCreated"
    assert envelope.headers()["type"] == "SupplierCreated"


def test_consumers_ignore_fields_they_do_not_know() -> None:
    raw = json.loads(Envelope.wrap(supplier_created(), tenant_id=TENANT, producer="x").model_dump_json())
    raw["data"]["added_later"] = "fine"
    raw["also_new"] = 1
    _, decoded = decode_event(json.dumps(raw).encode(), "suppliers.supplier.v1")
    assert decoded.name == "Acme"


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"{}", b'{"type": "SupplierCreated"}', b"\xff\xfe", b"[]"],
)
def test_undecodable_messages_raise_value_errors(raw: bytes) -> None:
    with pytest.raises(ValueError):
        decode_event(raw, "suppliers.supplier.v1")


def test_an_event_of_another_topic_is_refused() -> None:
    raw = Envelope.wrap(supplier_created(), tenant_id=TENANT, producer="x").model_dump_json().encode()
    with pytest.raises(UnknownEventType):
        decode_event(raw, "orders.purchase-order.v1")


def test_a_payload_with_a_wrong_field_type_fails_validation() -> None:
    raw = json.loads(Envelope.wrap(supplier_created(), tenant_id=TENANT, producer="x").model_dump_json())
    raw["data"]["tolerance_rate"] = "five"
    with pytest.raises(ValidationError):
        decode_event(json.dumps(raw).encode(), "suppliers.supplier.v1")


def test_every_topic_names_its_producer_partitions_and_events() -> None:
    for topic in TOPICS.values():
        assert topic.name.endswith(".v1") and topic.partitions >= 1 and topic.events
        for event_type, model in topic.events.items():
            assert model.event_type == event_type and model.topic == topic.name


def test_an_event_whose_payload_names_another_tenant_than_its_envelope_is_refused() -> None:
    other = uuid.uuid4()
    raw = Envelope.wrap(supplier_created(tenant_id=other), tenant_id=TENANT, producer="x").model_dump_json().encode()
    with pytest.raises(TenantMismatch, match=str(other)):
        decode_event(raw, "suppliers.supplier.v1")
    assert issubclass(TenantMismatch, ValueError)  # dead-lettered as any event that does not decode


def test_a_payload_without_a_tenant_of_its_own_takes_its_envelopes() -> None:
    user = UserRegistered(
        user_id=uuid.uuid4(),
        tenant_id=None,
        email="s@supplier.example",
        name="Sam",
        role="supplier",
        supplier_ids=[uuid.uuid4()],
        active=True,
        updated_at=datetime.now(UTC),
    )
    raw = Envelope.wrap(user, tenant_id=TENANT, producer="gateway").model_dump_json().encode()
    envelope, decoded = decode_event(raw, "gateway.user.v1")
    assert envelope.tenant_id == TENANT and decoded == user
