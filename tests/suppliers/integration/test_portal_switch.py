"""The buyer organisation's supplier portal switch, heard from the gateway's events: while it is
off, no supplier's portal is activated for that buyer; on again, activation works as before."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from portal_dev.testing import Tokens, on_cluster, poll_until
from shared.contracts import Envelope
from shared.contracts.identity import OrganisationSettingsChanged
from suppliers.entrypoints.consumers import ORGANISATIONS_CONSUMER
from tests.suppliers.integration.support import create_supplier, portal

OFF_DETAIL = "the supplier portal is switched off for your organisation; switch it on in the settings first"


def switch(tenant_id: uuid.UUID, revision: int, *, enabled: bool) -> Envelope:
    payload = OrganisationSettingsChanged(
        tenant_id=tenant_id,
        name="Globex Buying",
        invoice_issue_date_required=False,
        supplier_portal_enabled=enabled,
        revision=revision,
        updated_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, tenant_id=tenant_id, producer="test")


async def test_activation_is_refused_while_the_buyer_has_the_supplier_portal_off(
    service, broker: str, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    client, runtime = service
    tenant = uuid.uuid4()
    buyer = tokens.headers(tokens.buyer(tenant))
    invited = await create_supplier(client, buyer, name="Invited Ltd")
    await portal(client, buyer, invited["id"], "activate")
    waiting = await create_supplier(client, buyer, name="Waiting GmbH")
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all", enable_idempotence=False)
    await producer.start()

    async def deliver(envelope: Envelope) -> None:
        await producer.send_and_wait(
            on_cluster("gateway.organisation.v1"), value=envelope.model_dump_json().encode(), key=str(tenant).encode()
        )

        async def handled() -> bool:
            async with runtime.engine.connect() as conn:
                query = text("SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = :e")
                return bool((await conn.execute(query, {"c": ORGANISATIONS_CONSUMER, "e": envelope.id})).scalar())

        await poll_until(handled, timeout_s=30, what=f"{ORGANISATIONS_CONSUMER} to handle {envelope.id}")

    try:
        off = switch(tenant, 2, enabled=False)
        await deliver(off)
        refused = await client.post(f"/api/v1/suppliers/{waiting['id']}/portal/activate", headers=buyer)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == OFF_DETAIL
        # Deactivating stays possible, re-activating does not.
        await portal(client, buyer, invited["id"], "deactivate")
        again = await client.post(f"/api/v1/suppliers/{invited['id']}/portal/activate", headers=buyer)
        assert again.status_code == 409

        # A late "on" of an older revision and a redelivered "off" change nothing.
        await deliver(switch(tenant, 1, enabled=True))
        await producer.send_and_wait(
            on_cluster("gateway.organisation.v1"), value=off.model_dump_json().encode(), key=b"k"
        )
        assert (
            await client.post(f"/api/v1/suppliers/{waiting['id']}/portal/activate", headers=buyer)
        ).status_code == 409

        # Another buyer is not concerned.
        other_buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
        elsewhere = await create_supplier(client, other_buyer)
        await portal(client, other_buyer, elsewhere["id"], "activate")

        await deliver(switch(tenant, 3, enabled=True))
        assert (await portal(client, buyer, waiting["id"], "activate"))["portal_status"] == "active"
        assert (await portal(client, buyer, invited["id"], "activate"))["portal_status"] == "active"
    finally:
        await producer.stop()
