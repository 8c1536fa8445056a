"""Consumers of the RFP feature: the buyer organisations' portal switch (``gateway.organisation.v1``).

When a tenant switches its supplier portal off, the suppliers' draft proposals on its RFPs leave
the portal with it.
"""

from __future__ import annotations

from orders.sourcing.service import read_models
from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.consumer_groups import consumer_group
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

RFP_ORGANISATIONS_CONSUMER = "orders.rfp-organisations"


async def on_organisation(uow: RfpUnitOfWork, payload: OrganisationSettingsChanged) -> None:
    await read_models.switch_supplier_portal(
        uow,
        payload.tenant_id,
        enabled=payload.supplier_portal_enabled,
        revision=payload.revision,
        changed_at=payload.updated_at,
    )


def rfp_consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    return [
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            RFP_ORGANISATIONS_CONSUMER,
            RfpUnitOfWork,
            {OrganisationSettingsChanged: on_organisation},
        )
    ]
