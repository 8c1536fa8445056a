"""What the RFP integration tests share: an invited set of suppliers, RFP and proposal calls, events."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from portal_dev.testing import on_cluster, poll_until
from shared.contracts.identity import OrganisationSettingsChanged
from tests.orders.integration.support import OrdersService

RFPS_TOPIC = "orders.rfp.v1"
ORGANISATIONS_TOPIC = "gateway.organisation.v1"
RFP_ORGANISATIONS_CONSUMER = "orders.rfp-organisations"


def rfp_body(invited: list[uuid.UUID], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Fasteners for Q3",
        "due_date": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        "currency": "EUR",
        "lines": [
            {"description": "Bolts M8", "quantity": "10", "unit": "pcs"},
            {"description": "Nuts M8", "quantity": "5", "unit": "box"},
        ],
        "supplier_ids": [str(s) for s in invited],
    }
    body.update(overrides)
    return body


@dataclass
class Tender:
    """One buyer tenant with its suppliers, and the calls both sides make on its RFPs."""

    orders: OrdersService
    tenant: uuid.UUID
    buyer_id: uuid.UUID
    suppliers: list[uuid.UUID] = field(default_factory=list)

    @classmethod
    async def start(cls, orders: OrdersService, suppliers: int = 3) -> Tender:
        tenant = uuid.uuid4()
        tender = cls(orders, tenant, uuid.uuid4())
        for index in range(suppliers):
            tender.suppliers.append(await orders.supplier(tenant, name=f"Supplier {index}"))
        return tender

    @property
    def buyer(self) -> dict[str, str]:
        return self.orders.tokens.headers(self.orders.tokens.buyer(self.tenant, admin=False, user_id=self.buyer_id))

    def supplier(self, index: int) -> dict[str, str]:
        return self.orders.tokens.headers(self.orders.tokens.supplier(self.suppliers[index]))

    async def create(self, invited: list[int], **overrides: Any) -> dict[str, Any]:
        body = rfp_body([self.suppliers[i] for i in invited], **overrides)
        response = await self.orders.client.post("/api/v1/rfps", json=body, headers=self.buyer)
        assert response.status_code == 201, response.text
        return response.json()

    async def published(self, invited: list[int], **overrides: Any) -> dict[str, Any]:
        rfp = await self.create(invited, **overrides)
        response = await self.post(self.buyer, f"/rfps/{rfp['id']}/publish")
        assert response.status_code == 200, response.text
        return response.json()

    async def get(self, headers: dict[str, str], path: str) -> httpx.Response:
        return await self.orders.client.get("/api/v1" + path, headers=headers)

    async def post(self, headers: dict[str, str], path: str, body: Any = None) -> httpx.Response:
        return await self.orders.client.post("/api/v1" + path, json=body, headers=headers)

    async def answer(
        self, index: int, rfp: dict[str, Any], *prices: str | None, comment: str | None = None
    ) -> httpx.Response:
        """Supplier ``index`` answers every line of ``rfp`` in order (None declines a line)."""
        lines = [
            {"rfp_line_id": line["id"], "unit_price": price} for line, price in zip(rfp["lines"], prices, strict=True)
        ]
        return await self.orders.client.put(
            f"/api/v1/rfps/{rfp['id']}/proposal",
            json={"lines": lines, "comment": comment},
            headers=self.supplier(index),
        )

    async def submit(self, index: int, rfp: dict[str, Any]) -> httpx.Response:
        return await self.post(self.supplier(index), f"/rfps/{rfp['id']}/proposal/submit")

    async def answered(self, index: int, rfp: dict[str, Any], *prices: str | None) -> dict[str, Any]:
        written = await self.answer(index, rfp, *prices)
        assert written.status_code == 200, written.text
        submitted = await self.submit(index, rfp)
        assert submitted.status_code == 200, submitted.text
        return submitted.json()


async def rfp_events(orders: OrdersService, count: int) -> list[dict[str, Any]]:
    return [json.loads(record.value) for record in await orders.read(RFPS_TOPIC, count)]


async def dead_letters_of(broker: str, topic: str, consumer: str, count: int) -> list[Any]:
    """The records ``consumer`` dead-lettered from ``topic`` (other groups may dead-letter the same)."""
    reader = AIOKafkaConsumer(
        on_cluster(topic + ".dlq"),
        bootstrap_servers=broker,
        group_id=f"t-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=20,
    )
    await reader.start()
    mine: list[Any] = []
    try:

        async def enough() -> bool:
            for batch in (await reader.getmany(timeout_ms=200)).values():
                mine.extend(r for r in batch if dict(r.headers).get("dlq.consumer") == consumer.encode())
            return len(mine) >= count

        await poll_until(enough, timeout_s=30, what=f"{count} dead letters of {consumer}")
    finally:
        await reader.stop()
    return mine


def organisation_settings(tenant: uuid.UUID, *, enabled: bool, revision: int) -> OrganisationSettingsChanged:
    return OrganisationSettingsChanged(
        tenant_id=tenant,
        name="Buyer Ltd",
        invoice_issue_date_required=False,
        supplier_portal_enabled=enabled,
        revision=revision,
        updated_at=datetime.now(UTC),
    )


def wrong_schema(event_type: str) -> bytes:
    """A well-formed envelope whose payload misses every required field."""
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "tenant_id": str(uuid.uuid4()),
            "correlation_id": "c",
            "producer": "test",
            "data": {"unexpected": True},
        }
    ).encode()
