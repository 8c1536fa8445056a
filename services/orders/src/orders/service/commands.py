"""Use cases that change orders: load, decide in the domain, save with the outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from orders.domain.errors import PurchaseOrderActionForbidden, UnknownSupplier
from orders.domain.lines import LineInput
from orders.domain.model import PurchaseOrder, format_number
from orders.domain.portal_switch import ensure_portal_on
from orders.domain.status import Status
from orders.domain.terms import SupplierTerms
from orders.service.unit_of_work import UnitOfWork
from shared.auth import Principal


def now() -> datetime:
    return datetime.now(UTC)


def _require_manager(order: PurchaseOrder, caller: Principal, action: str) -> None:
    caller.require_buyer()
    if not order.may_be_managed_by(caller.user_id, is_admin=caller.is_admin):
        raise PurchaseOrderActionForbidden(f"only the order's initiator or a buyer admin may {action} it")


async def create_purchase_order(
    uow: UnitOfWork,
    caller: Principal,
    *,
    supplier_id: UUID,
    currency: str,
    delivery_date: date | None,
    lines: Sequence[LineInput],
    delivery_address: str | None = None,
    match_against_receipts: bool | None = None,
) -> PurchaseOrder:
    """``match_against_receipts``: None takes the organisation's ``three_way_matching``."""
    tenant_id = caller.require_buyer()
    async with uow:
        supplier = await uow.suppliers.get(supplier_id, tenant_id=tenant_id)
        if supplier is None:
            raise UnknownSupplier()
        if match_against_receipts is None:
            match_against_receipts = await uow.organisations.three_way_matching(tenant_id)
        order = PurchaseOrder.draft(
            number=format_number(await uow.purchase_orders.next_number(tenant_id)),
            supplier=supplier,
            currency=currency,
            delivery_date=delivery_date,
            lines=lines,
            initiator_id=caller.user_id,
            now=now(),
            delivery_address=delivery_address,
            match_against_receipts=match_against_receipts,
        )
        await uow.save(order)
        # Read back as every order is loaded: with what orders knows of its parties and initiator.
        order = await uow.purchase_orders.get(order.id, scope=None)
        await uow.commit()
    return order


async def _change(
    uow: UnitOfWork, caller: Principal, order_id: UUID, decide: Callable[[PurchaseOrder], None]
) -> PurchaseOrder:
    """Load the caller's order locked, let ``decide`` change it, save it with its events."""
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller, for_update=True)
        decide(order)
        await uow.save(order)
        await uow.commit()
    return order


async def _terms(uow: UnitOfWork, order: PurchaseOrder) -> SupplierTerms:
    supplier = await uow.suppliers.get(order.supplier_id, tenant_id=order.tenant_id)
    return supplier.terms if supplier is not None else SupplierTerms()


async def revise(
    uow: UnitOfWork,
    caller: Principal,
    order_id: UUID,
    *,
    delivery_date: date | None,
    lines: Sequence[LineInput] | None,
    delivery_address: str | None = None,
    match_against_receipts: bool | None = None,
) -> PurchaseOrder:
    """A draft is revised quietly; a sent order changes with a PurchaseOrderChanged event.
    ``delivery_address``: None leaves it, an empty one clears it; ``match_against_receipts``: None leaves it."""
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller, for_update=True)
        _require_manager(order, caller, "edit")
        if order.status == Status.draft:
            order.revise_draft(
                now=now(),
                delivery_date=delivery_date,
                lines=lines,
                delivery_address=delivery_address,
                match_against_receipts=match_against_receipts,
            )
        else:
            terms = await _terms(uow, order)
            order.change(
                now=now(),
                delivery_date=delivery_date,
                lines=lines,
                terms=terms,
                delivery_address=delivery_address,
                match_against_receipts=match_against_receipts,
            )
        await uow.save(order)
        await uow.commit()
    return order


async def submit(uow: UnitOfWork, caller: Principal, order_id: UUID) -> PurchaseOrder:
    """Sent by whoever may edit it: its initiator or a buyer admin."""
    async with uow:
        order = await uow.purchase_orders.get(order_id, scope=caller, for_update=True)
        _require_manager(order, caller, "submit")
        order.submit(now(), terms=await _terms(uow, order))
        await uow.save(order)
        await uow.commit()
    return order


async def acknowledge(uow: UnitOfWork, caller: Principal, order_id: UUID) -> PurchaseOrder:
    def decide(order: PurchaseOrder) -> None:
        # Scoping already limits a supplier user to the orders of its own supplier records.
        if not caller.is_supplier:
            raise PurchaseOrderActionForbidden("only the supplier acknowledges a purchase order")
        ensure_portal_on(caller, order.supplier_id, "acknowledge the buyer's orders")
        order.acknowledge(now())

    return await _change(uow, caller, order_id, decide)


async def cancel(uow: UnitOfWork, caller: Principal, order_id: UUID) -> PurchaseOrder:
    def decide(order: PurchaseOrder) -> None:
        _require_manager(order, caller, "cancel")
        order.cancel(now())

    return await _change(uow, caller, order_id, decide)


async def close(uow: UnitOfWork, caller: Principal, order_id: UUID) -> PurchaseOrder:
    def decide(order: PurchaseOrder) -> None:
        _require_manager(order, caller, "close")
        order.close(now())

    return await _change(uow, caller, order_id, decide)
