"""What the orders integration tests share: the running service, publishing and reading events."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from portal_dev.testing import Tokens, on_cluster, poll_until, read_topic
from shared.contracts import Envelope, EventPayload
from shared.contracts.invoicing import InvoiceLineState, InvoiceSnapshot, InvoiceSubmitted
from shared.contracts.suppliers import SupplierCreated
from shared.runtime import ServiceRuntime

ORDERS_TOPIC = "orders.purchase-order.v1"
SUPPLIERS_TOPIC = "suppliers.supplier.v1"
INVOICES_TOPIC = "invoicing.invoice.v1"


def envelope_of(payload: EventPayload, tenant_id: uuid.UUID) -> Envelope:
    return Envelope.wrap(payload, tenant_id=tenant_id, producer="test")


@dataclass
class OrdersService:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    broker: str
    tokens: Tokens

    # -- the broker ------------------------------------------------------------------------
    async def publish(self, topic: str, value: bytes, key: str = "k") -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.broker, acks="all", enable_idempotence=False)
        await producer.start()
        try:
            await producer.send_and_wait(on_cluster(topic), value=value, key=key.encode())
        finally:
            await producer.stop()

    async def publish_event(self, payload: EventPayload, tenant_id: uuid.UUID) -> Envelope:
        envelope = envelope_of(payload, tenant_id)
        await self.publish_envelope(envelope, payload)
        return envelope

    async def publish_envelope(self, envelope: Envelope, payload: EventPayload) -> None:
        await self.publish(payload.topic, envelope.model_dump_json().encode(), key=payload.key())

    async def read(self, topic: str, count: int, *, timeout_s: float = 30) -> list[Any]:
        """The first ``count`` records of ``topic`` or more (JSON values undecoded), read without a
        consumer group: no group join to wait for."""
        return await read_topic(self.broker, topic, count, timeout_s=timeout_s)

    async def events(self, count: int) -> list[dict[str, Any]]:
        return [json.loads(r.value) for r in await self.read(ORDERS_TOPIC, count)]

    # -- the database ----------------------------------------------------------------------
    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.runtime.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def handled(self, consumer: str, event_id: uuid.UUID) -> None:
        """Wait until ``consumer`` has committed the event (its inbox row is there)."""

        async def recorded() -> bool:
            found = await self.scalar(
                "SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = :e", c=consumer, e=event_id
            )
            return bool(found)

        await poll_until(recorded, timeout_s=30, what=f"{consumer} to handle {event_id}")

    # -- the API ---------------------------------------------------------------------------
    async def supplier(self, tenant_id: uuid.UUID, *, currency: str = "EUR", name: str = "Acme Tools") -> uuid.UUID:
        """A supplier of ``tenant_id``, announced on its topic and arrived in the read model."""
        snapshot = SupplierCreated(
            supplier_id=uuid.uuid4(),
            tenant_id=tenant_id,
            name=name,
            email="sales@acme.example",
            currency=currency,
            tolerance_rate=Decimal("5"),
            portal_status="active",
            revision=1,
            updated_at=datetime.now(UTC),
        )
        envelope = await self.publish_event(snapshot, tenant_id)
        await self.handled("orders.suppliers", envelope.id)
        return snapshot.supplier_id

    async def create(self, token: str, supplier_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/purchase-orders", json=order_body(supplier_id, **overrides), headers=self.tokens.headers(token)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def act(self, token: str, order_id: str, action: str) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/purchase-orders/{order_id}/{action}", headers=self.tokens.headers(token)
        )

    async def get(self, token: str, order_id: str) -> httpx.Response:
        return await self.client.get(f"/api/v1/purchase-orders/{order_id}", headers=self.tokens.headers(token))


def order_body(supplier_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "supplier_id": str(supplier_id),
        "currency": "EUR",
        "delivery_date": "2026-12-01",
        "lines": [
            {"description": "Bolts M8", "quantity": "10", "unit_price": "5.00", "sku": "B-8", "unit": "pcs"},
            {"description": "Nuts M8", "quantity": "5", "unit_price": "0.335"},
        ],
    }
    body.update(overrides)
    return body


def invoice_event(
    order: dict[str, Any],
    quantities: list[str | None],
    *,
    event: type[InvoiceSnapshot] = InvoiceSubmitted,
    status: str = "matching",
    revision: int = 1,
    invoice_id: uuid.UUID | None = None,
    **extra: Any,
) -> InvoiceSnapshot:
    """An invoice of ``order`` billing ``quantities[i]`` of its line i (None: not billed)."""
    lines = [
        InvoiceLineState(
            line_id=uuid.uuid4(),
            line_no=index + 1,
            purchase_order_line_id=uuid.UUID(order_line["id"]),
            description=order_line["description"],
            quantity=Decimal(quantity),
            unit_price=Decimal(order_line["unit_price"]),
            net_amount=Decimal(quantity) * Decimal(order_line["unit_price"]),
        )
        for index, (order_line, quantity) in enumerate(zip(order["lines"], quantities, strict=False))
        if quantity is not None
    ]
    return event(
        invoice_id=invoice_id or uuid.uuid4(),
        tenant_id=uuid.UUID(order["tenant_id"]),
        purchase_order_id=uuid.UUID(order["id"]),
        purchase_order_number=order["number"],
        supplier_id=uuid.UUID(order["supplier_id"]),
        number=f"INV-{uuid.uuid4().hex[:6]}",
        currency=order["currency"],
        status=status,
        submission=1,
        net_total=sum((x.net_amount for x in lines), Decimal(0)),
        lines=lines,
        paid_total=Decimal(0),
        revision=revision,
        **extra,
    )
