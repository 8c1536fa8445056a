"""Use cases: email invited suppliers about a published RFP and about its closing, participants
about its award, and the invited suppliers that did not answer that it is over.

One event makes one email per supplier. Every recipient is looked up before any email is
queued: if one supplier's read model is missing, nothing is queued and the whole event is
retried later (the inbox record and the end notices roll back with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from notifier.domain import rfps
from notifier.domain.read_models import SupplierContact
from notifier.service.email_queue import Renderer, buyer_name, queue_email, supplier_contact
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.rfps import RfpAwarded, RfpClosed, RfpPublished


async def _suppliers(uow: UnitOfWork, supplier_ids: Iterable[UUID], tenant_id: UUID) -> list[SupplierContact]:
    return [await supplier_contact(uow, supplier_id, tenant_id) for supplier_id in dict.fromkeys(supplier_ids)]


async def email_rfp_invitations(uow: UnitOfWork, renderer: Renderer, event_id: UUID, rfp: RfpPublished) -> None:
    for supplier in await _suppliers(uow, rfp.supplier_ids, rfp.tenant_id):
        await queue_email(uow, renderer, event_id, rfp.tenant_id, rfps.rfp_published(rfp, supplier))


async def email_rfp_closing(uow: UnitOfWork, renderer: Renderer, event_id: UUID, rfp: RfpClosed) -> None:
    invited = await _suppliers(uow, rfp.supplier_ids, rfp.tenant_id)
    buyer = await buyer_name(uow, rfp.tenant_id)
    now = datetime.now(UTC)
    for supplier in invited:
        if await uow.rfp_end_notices.first_time(rfp.rfp_id, supplier.supplier_id, now):
            await queue_email(uow, renderer, event_id, rfp.tenant_id, rfps.rfp_closed(rfp, supplier, buyer))


async def email_rfp_outcome(uow: UnitOfWork, renderer: Renderer, event_id: UUID, rfp: RfpAwarded) -> None:
    """The outcome to every participant; to the others only when the closing did not tell them."""
    participants = await _suppliers(uow, rfps.rfp_participants(rfp), rfp.tenant_id)
    onlookers = await _suppliers(uow, rfps.rfp_onlookers(rfp), rfp.tenant_id)
    buyer = await buyer_name(uow, rfp.tenant_id)
    now = datetime.now(UTC)
    for supplier in participants:
        await queue_email(uow, renderer, event_id, rfp.tenant_id, rfps.rfp_outcome(rfp, supplier, buyer))
    for supplier in onlookers:
        if await uow.rfp_end_notices.first_time(rfp.rfp_id, supplier.supplier_id, now):
            await queue_email(uow, renderer, event_id, rfp.tenant_id, rfps.rfp_outcome(rfp, supplier, buyer))
