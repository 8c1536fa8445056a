"""The invoicing service on real PostgreSQL and a real broker, and a producer standing in for
the orders and matching services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from invoicing import migrate as invoicing_migrate
from invoicing.bootstrap import bootstrap
from invoicing.config import Settings
from portal_dev.testing import Servers, Tokens, poll_until, running
from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.orders import PurchaseOrderSnapshot
from shared.contracts.suppliers import SupplierSnapshot
from shared.runtime import ServiceRuntime
from tests.invoicing.integration.scenario import Parties, publish


@dataclass
class Service:
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    broker: str
    producer: AIOKafkaProducer

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.runtime.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def lock_awaited(self, what: str) -> None:
        """Until a session of the service's database waits for a lock (``what`` it is)."""
        sql = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        await poll_until(lambda: self.scalar(sql), what=what)

    async def known_purchase_order(self, po: PurchaseOrderSnapshot) -> None:
        """Publish the PO snapshot and wait until the read model holds that revision."""
        await publish(self.producer, po)

        async def stored() -> bool:
            revision = await self.scalar("SELECT revision FROM purchase_orders WHERE id = :id", id=po.purchase_order_id)
            return revision is not None and revision >= po.revision

        await poll_until(stored, what=f"purchase order {po.number} in the read model")

    async def known_supplier(self, supplier: SupplierSnapshot) -> None:
        await publish(self.producer, supplier)
        await self._stored("suppliers", supplier.supplier_id, supplier.revision)

    async def known_organisation(self, settings: OrganisationSettingsChanged) -> None:
        """Publish the buyer's settings and wait until the read model holds that revision."""
        await publish(self.producer, settings)
        await self._stored("organisations", settings.tenant_id, settings.revision)

    async def _stored(self, table: str, row_id: UUID, revision: int) -> None:
        async def stored() -> bool:
            found = await self.scalar(f"SELECT revision FROM {table} WHERE id = :id", id=row_id)
            return found is not None and found >= revision

        await poll_until(stored, what=f"revision {revision} of {row_id} in {table}")

    async def invoice_in(self, invoice_id: str, headers: dict[str, str], *statuses: str) -> dict[str, Any]:
        """Poll the invoice until it reaches one of ``statuses``."""

        async def reached() -> dict[str, Any] | None:
            invoice = (await self.client.get(f"/api/v1/invoices/{invoice_id}", headers=headers)).json()
            return invoice if invoice.get("status") in statuses else None

        return await poll_until(reached, what=f"invoice in {statuses}")

    async def outbox_events(self, invoice_id: str | UUID, event_type: str) -> int:
        return await self.scalar(
            "SELECT count(*) FROM outbox WHERE event_type = :t AND convert_from(value, 'UTF8')::jsonb"
            " -> 'data' ->> 'invoice_id' = :id",
            t=event_type,
            id=str(invoice_id),
        )


@pytest.fixture
def service_settings() -> dict[str, Any]:
    """Settings a test changes, by parametrizing this fixture's name."""
    return {}


@pytest.fixture
async def service(  # type: ignore[no-untyped-def]
    servers: Servers, broker: str, tokens: Tokens, service_env_factory, service_settings: dict[str, Any]
) -> AsyncIterator[Service]:
    database_url = await servers.migrated_database(
        "invoicing", invoicing_migrate.main, lambda url: service_env_factory("INVOICING", url, broker)
    )
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap_servers=broker,
        kafka_enable_idempotence=False,
        kafka_fetch_max_wait_ms=20,
        consumer_retry_backoff_s=0.05,
        jwt_public_key_file=tokens.public_key_file,
        log_format="console",
        **service_settings,
    )
    runtime = bootstrap(settings)
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all", enable_idempotence=False)
    await producer.start()
    try:
        async with running(runtime) as client:
            yield Service(client, runtime, broker, producer)
    finally:
        await producer.stop()


@pytest.fixture
def parties(tokens: Tokens) -> Parties:
    return Parties.new(tokens)
