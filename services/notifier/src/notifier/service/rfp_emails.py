"""Use cases: email invited suppliers about a published RFP, and participants about its award.

One event makes one email per supplier. Every recipient is looked up before any email is
queued: if one supplier's read model is missing, nothing is queued and the whole event is
retried later (the inbox record rolls back with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from notifier.domain import rfps
from notifier.domain.directory import SupplierContact
from notifier.service.email_queue import Renderer, queue_email, supplier_contact
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.rfps import RfpAwarded, RfpPublished


async def _suppliers(uow: UnitOfWork, supplier_ids: Iterable[UUID], tenant_id: UUID) -> list[SupplierContact]:
    return [await supplier_contact(uow, supplier_id, tenant_id) for supplier_id in dict.fromkeys(supplier_ids)]


async def email_rfp_invitations(uow: UnitOfWork, renderer: Renderer, event_id: UUID, rfp: RfpPublished) -> None:
    for supplier in await _suppliers(uow, rfp.supplier_ids, rfp.tenant_id):
        await queue_email(uow, renderer, event_id, rfp.tenant_id, rfps.rfp_published(rfp, supplier))


async def email_rfp_outcome(uow: UnitOfWork, renderer: Renderer, event_id: UUID, rfp: RfpAwarded) -> None:
    for supplier in await _suppliers(uow, rfps.rfp_participants(rfp), rfp.tenant_id):
        await queue_email(uow, renderer, event_id, rfp.tenant_id, rfps.rfp_outcome(rfp, supplier))
