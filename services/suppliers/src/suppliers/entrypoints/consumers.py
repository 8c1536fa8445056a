"""Consumers of the suppliers service: the buyer organisations' settings (``gateway.organisation.v1``)
into the read model the portal activation decides by."""

from __future__ import annotations

from shared.consumer_groups import consumer_group
from shared.contracts.identity import ORGANISATIONS_TOPIC, OrganisationSettingsChanged
from shared.fields import made_of
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime
from suppliers.domain.read_models import OrganisationSettings
from suppliers.service import read_models
from suppliers.service.unit_of_work import UnitOfWork

ORGANISATIONS_CONSUMER = "suppliers.organisations"


def organisation_settings(payload: OrganisationSettingsChanged) -> OrganisationSettings:
    return made_of(OrganisationSettings, payload)


async def on_organisation(uow: UnitOfWork, payload: OrganisationSettingsChanged) -> None:
    await read_models.record_organisation(uow, organisation_settings(payload))


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    return [
        consumer_group(
            runtime,
            ORGANISATIONS_TOPIC,
            ORGANISATIONS_CONSUMER,
            UnitOfWork,
            {OrganisationSettingsChanged: on_organisation},
        )
    ]
