"""Use cases of the buyer on its RFPs, and of the runtime: load (scoped, locked), decide in the domain,
save with the outbox. The supplier's side is in ``proposal_commands``.

Every write to one RFP or its proposals locks the RFP row first, so an award, a closing and a
supplier's last-second submission never interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from orders.domain.errors import UnknownSupplier
from orders.domain.model import PurchaseOrder, format_number
from orders.sourcing.domain.attachment import RfpAttachment, attach_document
from orders.sourcing.domain.award import award, check_award, purchase_order_lines
from orders.sourcing.domain.errors import InvalidRfp, ProposalNotFound, ProposalStateConflict, UnknownInvitedSupplier
from orders.sourcing.domain.rfp import KEEP, Keep, Rfp, RfpLineInput, format_rfp_number
from orders.sourcing.service.unit_of_work import RfpUnitOfWork
from shared.auth import Principal
from shared.collaboration import Upload
from shared.uploads import check_upload


def now() -> datetime:
    return datetime.now(UTC)


async def _check_invited(
    uow: RfpUnitOfWork, tenant_id: UUID, supplier_ids: Sequence[UUID], currency: str | None
) -> None:
    """Each invited supplier is the tenant's, and invoices in the RFP's currency when it names one
    (the award becomes a purchase order, which must be in the supplier's currency)."""
    for index, supplier_id in enumerate(supplier_ids):
        supplier = await uow.suppliers.get(supplier_id, tenant_id=tenant_id)
        if supplier is None:
            raise UnknownInvitedSupplier(index)
        if currency is not None and supplier.currency != currency:
            message = f"{supplier.name} invoices in {supplier.currency}, not {currency}"
            raise InvalidRfp(message, errors=[{"field": f"supplier_ids.{index}", "message": message}])


async def create_rfp(
    uow: RfpUnitOfWork,
    caller: Principal,
    *,
    title: str,
    due_date: datetime,
    currency: str | None,
    lines: Sequence[RfpLineInput],
    supplier_ids: Sequence[UUID],
) -> Rfp:
    tenant_id = caller.require_buyer()
    async with uow:
        await _check_invited(uow, tenant_id, supplier_ids, currency)
        rfp = Rfp.draft(
            tenant_id=tenant_id,
            number=format_rfp_number(await uow.rfps.next_number(tenant_id)),
            title=title,
            due_date=due_date,
            currency=currency,
            lines=lines,
            supplier_ids=supplier_ids,
            created_by=caller.user_id,
            now=now(),
        )
        await uow.save_rfp(rfp)
        await uow.commit()
    return rfp


async def revise_rfp(
    uow: RfpUnitOfWork,
    caller: Principal,
    rfp_id: UUID,
    *,
    title: str | None,
    due_date: datetime | None,
    currency: str | Literal[Keep.KEEP] | None,
    lines: Sequence[RfpLineInput] | None,
    supplier_ids: Sequence[UUID] | None,
) -> Rfp:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        caller.require_buyer()
        rfp.revise(now=now(), title=title, due_date=due_date, currency=currency, lines=lines, supplier_ids=supplier_ids)
        if supplier_ids is not None or currency is not KEEP:
            await _check_invited(uow, rfp.tenant_id, rfp.supplier_ids, rfp.currency)
        await uow.save_rfp(rfp)
        await uow.commit()
    return rfp


async def publish_rfp(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID) -> Rfp:
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        caller.require_buyer()
        rfp.publish(now())
        await uow.save_rfp(rfp)
        await uow.commit()
    return rfp


async def award_rfp(uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, proposal_id: UUID) -> Rfp:
    """The winning proposal becomes a draft purchase order of the awarding buyer, in one transaction."""
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        caller.require_buyer()
        proposals = await uow.proposals.of_rfp(rfp.id, for_update=True)
        winner = next((p for p in proposals if p.id == proposal_id), None)
        if winner is None:
            raise ProposalNotFound()
        check_award(rfp, winner)
        supplier = await uow.suppliers.get(winner.supplier_id, tenant_id=rfp.tenant_id)
        if supplier is None:
            raise UnknownSupplier()
        if winner.currency != (rfp.currency or supplier.currency):
            # The supplier changed its currency after answering: its prices mean something else now.
            raise ProposalStateConflict(
                f"the proposal is priced in {winner.currency}, but {supplier.name} now invoices in {supplier.currency}"
            )
        moment = now()
        order = PurchaseOrder.draft(
            number=format_number(await uow.purchase_orders.next_number(rfp.tenant_id)),
            supplier=supplier,
            currency=rfp.currency or supplier.currency,
            delivery_date=None,
            lines=purchase_order_lines(rfp, winner),
            initiator_id=caller.user_id,
            now=moment,
            source_rfp_id=rfp.id,
        )
        award(rfp, winner, proposals, purchase_order_id=order.id, now=moment)
        await uow.save(order)
        await uow.save_rfp(rfp)
        for proposal in proposals:
            await uow.save_proposal(proposal)
        await uow.commit()
    return rfp


async def attach_to_rfp(
    uow: RfpUnitOfWork, caller: Principal, rfp_id: UUID, upload: Upload, *, max_bytes: int
) -> RfpAttachment:
    """A document of the buyer's on its request; the invited suppliers read it once it is published."""
    async with uow:
        rfp = await uow.rfps.get(rfp_id, scope=caller, for_update=True)
        caller.require_buyer()
        name, checked_type = check_upload(upload.filename, upload.content_type, upload.content, max_bytes=max_bytes)
        attachment = attach_document(
            rfp, filename=name, content_type=checked_type, content=upload.content, uploaded_by=caller.user_id, now=now()
        )
        await uow.rfp_attachments.add(attachment)
        await uow.commit()
    return attachment


# Effects of the runtime.


async def close_due_rfps(uow: RfpUnitOfWork, *, limit: int = 100) -> int:
    """Close published RFPs whose due date passed (RfpClosed each); returns how many closed."""
    async with uow:
        moment = now()
        due = await uow.rfps.due_for_closing(moment, limit=limit)
        for rfp in due:
            if rfp.close_if_due(moment):
                await uow.save_rfp(rfp)
        await uow.commit()
    return len(due)
