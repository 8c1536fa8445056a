"""Consumers of the RFP feature: the buyer organisations' portal switch (``gateway.organisation.v1``).

When a tenant switches its supplier portal off, the suppliers' draft proposals on its RFPs leave
the portal with it. Thin: inbox first, then the use case, then one commit for effect and inbox.
"""

from __future__ import annotations

from orders.service import rfp_handlers
from orders.service.rfp_unit_of_work import RfpUnitOfWork
from shared.contracts import Envelope
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

RFP_ORGANISATIONS_CONSUMER = "orders.rfp-organisations"


def rfp_consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    async def on_organisation(envelope: Envelope, payload: OrganisationSettingsChanged) -> None:
        async with RfpUnitOfWork(runtime.session_factory, runtime.settings.service_name) as uow:
            if not await uow.inbox.first_time(RFP_ORGANISATIONS_CONSUMER, envelope.id):
                return
            await rfp_handlers.switch_supplier_portal(
                uow,
                payload.tenant_id,
                enabled=payload.supplier_portal_enabled,
                revision=payload.revision,
                changed_at=payload.updated_at,
            )
            await uow.commit()

    return [
        EventConsumer(
            topic=ORGANISATIONS_TOPIC,
            group=RFP_ORGANISATIONS_CONSUMER,
            handlers={OrganisationSettingsChanged: on_organisation},
            settings=runtime.settings,
            dead_letters=runtime.kafka_producer,
        )
    ]
