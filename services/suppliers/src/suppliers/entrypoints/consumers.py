"""Consumers of the suppliers service: the buyer organisations' settings (``gateway.organisation.v1``)
into the read model the portal activation decides by.

The handler opens a unit of work, records the event in the inbox first (a redelivery stops
there), translates the payload and commits: effect and inbox together.
"""

from __future__ import annotations

from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime
from suppliers.domain.organisations import OrganisationSettings
from suppliers.service import read_models
from suppliers.service.unit_of_work import UnitOfWork

ORGANISATIONS_CONSUMER = "suppliers.organisations"


def organisation_settings(payload: OrganisationSettingsChanged) -> OrganisationSettings:
    return OrganisationSettings(
        tenant_id=payload.tenant_id,
        supplier_portal_enabled=payload.supplier_portal_enabled,
        revision=payload.revision,
    )


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    async def on_organisation(envelope: Envelope, payload: OrganisationSettingsChanged) -> None:
        async with UnitOfWork(runtime.session_factory, runtime.settings.service_name) as uow:
            if not await uow.inbox.first_time(ORGANISATIONS_CONSUMER, envelope.id):
                return
            await read_models.record_organisation(uow, organisation_settings(payload))
            await uow.commit()

    return [
        EventConsumer(
            topic=ORGANISATIONS_TOPIC,
            group=ORGANISATIONS_CONSUMER,
            handlers={OrganisationSettingsChanged: on_organisation},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        )
    ]
