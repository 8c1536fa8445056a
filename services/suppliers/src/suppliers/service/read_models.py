"""Event use cases that keep what suppliers knows of other services: the buyer organisations'
supplier portal switch. Each runs inside the unit of work its consumer opened (after the inbox
check) and leaves the commit to it; a snapshot older than the stored one changes nothing."""

from __future__ import annotations

import structlog

from suppliers.domain.read_models import OrganisationSettings
from suppliers.service.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


async def record_organisation(uow: UnitOfWork, settings: OrganisationSettings) -> None:
    if not await uow.organisations.upsert(settings):
        log.info("older organisation settings ignored", revision=settings.revision)
