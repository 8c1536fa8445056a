"""Use cases of the invoicing service that change invoices: load, decide in the domain, save with
the outbox. Each opens its own unit of work. Matching's verdict is handled in ``handlers``, read
models of other services are kept by ``read_models``, comments and files by ``collaboration``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from invoicing.domain.access import (
    ensure_may_cancel,
    ensure_may_change,
    ensure_may_create,
    ensure_only_what_remains,
    ensure_still_to_invoice,
)
from invoicing.domain.errors import DuplicateInvoiceNumber, PurchaseOrderNotFound
from invoicing.domain.lines import LineDraft, build_lines, prefill_open
from invoicing.domain.model import Invoice
from invoicing.domain.payment_terms import payment_terms_days
from invoicing.domain.read_models import OrganisationSettings
from invoicing.service.purchase_order_wait import PurchaseOrderWait
from invoicing.service.unit_of_work import UnitOfWork
from shared import faults
from shared.auth import Principal


def _now() -> datetime:
    return datetime.now(UTC)


async def _locked_with_settings(
    uow: UnitOfWork, caller: Principal, invoice_id: UUID
) -> tuple[Invoice, OrganisationSettings]:
    """The caller's invoice, locked FOR UPDATE, and its buyer's settings.

    The settings row is locked first (FOR SHARE), then the invoice: the order the portal
    switch-off consumer takes them in, so a command and a switch-off never deadlock.
    """
    portal = await uow.organisations.settings_of(await uow.invoices.tenant_of(invoice_id, scope=caller))
    return await uow.invoices.get(invoice_id, scope=caller, for_update=True), portal


async def create_invoice(
    uow: UnitOfWork,
    caller: Principal,
    *,
    purchase_order_id: UUID,
    number: str,
    issue_date: date | None,
    lines: Sequence[LineDraft] | None,
    arrival: PurchaseOrderWait | None = None,
) -> Invoice:
    """A draft invoice on the caller's purchase order. An order this service has not heard of
    yet is waited for (``arrival``) before the answer is "not found": the supplier may well
    have seen it in the orders service a moment ago."""
    try:
        return await _create_invoice(uow, caller, purchase_order_id, number, issue_date, lines)
    except PurchaseOrderNotFound:
        # Outside the unit of work: nothing is held while waiting. An order of someone else's
        # is stored already, so it is not waited for, and the second try answers 404 as the first.
        if arrival is None or not await arrival.until_stored(
            purchase_order_id, lambda: _purchase_order_stored(uow, purchase_order_id)
        ):
            raise
    return await _create_invoice(uow, caller, purchase_order_id, number, issue_date, lines)


async def _purchase_order_stored(uow: UnitOfWork, purchase_order_id: UUID) -> bool:
    async with uow:
        return await uow.purchase_orders.exists(purchase_order_id)


async def _create_invoice(
    uow: UnitOfWork,
    caller: Principal,
    purchase_order_id: UUID,
    number: str,
    issue_date: date | None,
    lines: Sequence[LineDraft] | None,
) -> Invoice:
    async with uow:
        po = await uow.purchase_orders.get(purchase_order_id, scope=caller)
        portal = await uow.organisations.settings_of(po.tenant_id)
        ensure_may_create(by_buyer=caller.is_buyer, portal=portal)
        restricted = caller.is_restricted(po.supplier_id)
        claimed = await uow.invoices.invoiced_quantities(po.id) if restricted or lines is None else {}
        if restricted:
            ensure_still_to_invoice(po, claimed)
        po.ensure_invoiceable()
        # Without lines the invoice bills what is still open, against this PO's live invoices;
        # explicit lines are taken as typed (above what is open too) for matching to judge,
        # except from a supplier whose buyer switched the portal off: it bills what remains.
        built = prefill_open(po, claimed) if lines is None else build_lines(lines, po)
        if restricted:
            ensure_only_what_remains(po, built, claimed)
        if await uow.invoices.number_taken(po.supplier_id, number):
            raise DuplicateInvoiceNumber(number)
        invoice = Invoice.draft(
            po=po, number=number, issue_date=issue_date, lines=built, now=_now(), created_by_buyer=caller.is_buyer
        )
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def edit_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID, changes: dict[str, Any]) -> Invoice:
    async with uow:
        invoice, _ = await _locked_with_settings(uow, caller, invoice_id)
        ensure_may_change(invoice, by_buyer=caller.is_buyer)
        po = await uow.purchase_orders.find(invoice.purchase_order_id)
        if po is None:
            raise PurchaseOrderNotFound()
        invoice.edit(changes, po, _now())
        if caller.is_restricted(invoice.supplier_id):
            ensure_only_what_remains(po, invoice.lines, await uow.invoices.invoiced_quantities(po.id))
        if "number" in changes and await uow.invoices.number_taken(
            invoice.supplier_id, invoice.number, other_than=invoice.id
        ):
            raise DuplicateInvoiceNumber(invoice.number)
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def submit_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    async with uow:
        invoice, portal = await _locked_with_settings(uow, caller, invoice_id)
        ensure_may_change(invoice, by_buyer=caller.is_buyer)
        if caller.is_restricted(invoice.supplier_id):
            await _ensure_only_what_remains(uow, invoice)
        terms = payment_terms_days(
            await uow.suppliers.payment_terms_of(invoice.supplier_id), portal.default_payment_terms_days
        )
        invoice.submit(_now(), issue_date_required=portal.invoice_issue_date_required, payment_terms_days=terms)
        await uow.save(invoice)
        await uow.commit()
    await faults.reached("invoicing.submit.after_commit")  # a crash here: the outbox still publishes
    return invoice


async def _ensure_only_what_remains(uow: UnitOfWork, invoice: Invoice) -> None:
    """A restricted supplier's submission claims no more than its order has left. The order's
    row is held (FOR UPDATE) while the claims are counted: of two submissions on one order,
    the second counts the first's lines."""
    po = await uow.purchase_orders.find(invoice.purchase_order_id, for_update=True)
    if po is None:
        raise PurchaseOrderNotFound()
    ensure_only_what_remains(po, invoice.lines, await uow.invoices.invoiced_quantities(po.id))


async def cancel_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    async with uow:
        invoice, _ = await _locked_with_settings(uow, caller, invoice_id)
        ensure_may_cancel(invoice, by_buyer=caller.is_buyer)
        invoice.cancel(by_buyer=caller.is_buyer, now=_now())
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def _buyers_decision(
    uow: UnitOfWork, caller: Principal, invoice_id: UUID, decide: Callable[[Invoice], object]
) -> Invoice:
    """A buyer's change of a held invoice. FOR UPDATE: of a concurrent approve and reject the
    second sees the first's outcome, and payments are serialised, so their sum is checked against
    the latest paid total."""
    async with uow:
        invoice = await uow.invoices.get(invoice_id, scope=caller, for_update=True)
        caller.require_buyer()
        decide(invoice)
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def approve_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    return await _buyers_decision(
        uow, caller, invoice_id, lambda invoice: invoice.approve(caller.user_id, is_admin=caller.is_admin, now=_now())
    )


async def reject_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID, reason: str) -> Invoice:
    def reject(invoice: Invoice) -> None:
        invoice.reject(caller.user_id, is_admin=caller.is_admin, reason=reason, now=_now())

    return await _buyers_decision(uow, caller, invoice_id, reject)


async def record_payment(uow: UnitOfWork, caller: Principal, invoice_id: UUID, amount: Decimal) -> Invoice:
    return await _buyers_decision(uow, caller, invoice_id, lambda invoice: invoice.record_payment(amount, _now()))
