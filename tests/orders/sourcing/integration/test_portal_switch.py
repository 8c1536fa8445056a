"""The portal switch on ``gateway.organisation.v1``: drafts leave with it, once; poison is dead-lettered."""

from __future__ import annotations

import uuid

from tests.orders.integration.support import OrdersService, envelope_of
from tests.orders.sourcing.integration.support import (
    ORGANISATIONS_TOPIC,
    RFP_ORGANISATIONS_CONSUMER,
    Tender,
    dead_letters_of,
    organisation_settings,
    wrong_schema,
)


async def test_switching_the_portal_off_deletes_the_tenants_draft_proposals_once(orders: OrdersService) -> None:
    tender = await Tender.start(orders, suppliers=2)
    rfp = await tender.published([0, 1])
    proposal_path = f"/rfps/{rfp['id']}/proposal"
    assert (await tender.answer(0, rfp, "1", "2")).status_code == 200
    submitted = await tender.answered(1, rfp, "3", "4")

    switch_off = organisation_settings(tender.tenant, enabled=False, revision=2)
    off_envelope = envelope_of(switch_off, tender.tenant)
    await orders.publish_envelope(off_envelope, switch_off)
    await orders.handled(RFP_ORGANISATIONS_CONSUMER, off_envelope.id)
    assert (await tender.get(tender.supplier(0), proposal_path)).status_code == 404
    assert (await tender.get(tender.supplier(1), proposal_path)).json()["status"] == submitted["status"]

    # The portal is back and a new draft is written; the same switch-off delivered again, and an
    # older snapshot replayed late, delete nothing.
    switch_on = organisation_settings(tender.tenant, enabled=True, revision=3)
    await orders.handled(RFP_ORGANISATIONS_CONSUMER, (await orders.publish_event(switch_on, tender.tenant)).id)
    assert (await tender.answer(0, rfp, "1", "2")).status_code == 200
    await orders.publish_envelope(off_envelope, switch_off)
    stale = organisation_settings(tender.tenant, enabled=False, revision=2)
    stale_envelope = await orders.publish_event(stale, tender.tenant)
    # One partition, in order: once the stale snapshot is handled, the duplicate was seen before it.
    await orders.handled(RFP_ORGANISATIONS_CONSUMER, stale_envelope.id)
    assert (await tender.get(tender.supplier(0), proposal_path)).json()["status"] == "draft"
    recorded = await orders.scalar(
        "SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = :e",
        c=RFP_ORGANISATIONS_CONSUMER,
        e=off_envelope.id,
    )
    assert recorded == 1


async def test_poison_messages_on_the_organisation_topic_are_dead_lettered_and_the_next_event_is_processed(
    orders: OrdersService,
) -> None:
    await orders.publish(ORGANISATIONS_TOPIC, b"not json")
    await orders.publish(ORGANISATIONS_TOPIC, wrong_schema("OrganisationSettingsChanged"))
    tenant = uuid.uuid4()
    valid = await orders.publish_event(organisation_settings(tenant, enabled=True, revision=1), tenant)
    await orders.handled(RFP_ORGANISATIONS_CONSUMER, valid.id)

    dead = await dead_letters_of(orders.broker, ORGANISATIONS_TOPIC, RFP_ORGANISATIONS_CONSUMER, 2)
    assert dead[0].value == b"not json"
    for record in dead:
        headers = dict(record.headers)
        assert headers["dlq.error"]
        assert headers["dlq.topic"] == ORGANISATIONS_TOPIC.encode()
