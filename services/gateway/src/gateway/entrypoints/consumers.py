"""The gateway's consumer: supplier events, for portal status and invitations."""

from __future__ import annotations

from datetime import timedelta

from gateway.config import Settings
from gateway.service import read_models
from gateway.service.unit_of_work import UnitOfWork
from shared.consumer_groups import consumer_group
from shared.contracts.suppliers import SUPPLIERS_TOPIC, SupplierSnapshot
from shared.messaging import EventConsumer
from shared.runtime import ServiceRuntime

CONSUMER = "gateway.suppliers"


def consumers(runtime: ServiceRuntime) -> list[EventConsumer]:
    settings = runtime.settings
    assert isinstance(settings, Settings)
    ttl = timedelta(days=settings.invitation_ttl_days)

    async def on_supplier(uow: UnitOfWork, payload: SupplierSnapshot) -> None:
        await read_models.on_supplier_changed(uow, payload, links=settings.link_sealer, ttl=ttl)

    return [consumer_group(runtime, SUPPLIERS_TOPIC, CONSUMER, UnitOfWork, {SupplierSnapshot: on_supplier})]
