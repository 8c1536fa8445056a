"""Use cases of the invoicing service: load, decide in the domain, save with the outbox.

Commands from HTTP open their own unit of work; the verdict use case at the bottom runs inside
the one its consumer opened (after its inbox check) and leaves the commit to it. Read models
of other services are kept by ``service.read_models``; comments and files by ``collaboration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import structlog

from invoicing.domain.access import ensure_may_cancel, ensure_may_change, ensure_may_create
from invoicing.domain.errors import DuplicateInvoiceNumber, PurchaseOrderNotFound
from invoicing.domain.lines import LineDraft, build_lines, prefill_open
from invoicing.domain.model import Invoice
from invoicing.domain.organisations import OrganisationSettings
from invoicing.service.unit_of_work import UnitOfWork
from shared import faults
from shared.auth import Principal
from shared.contracts.matching import MatchingVerdictIssued
from shared.errors import RetryLater

log = structlog.get_logger(__name__)


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
) -> Invoice:
    async with uow:
        po = await uow.purchase_orders.get(purchase_order_id, scope=caller)
        portal = await uow.organisations.settings_of(po.tenant_id)
        ensure_may_create(by_buyer=caller.is_buyer, portal=portal)
        po.ensure_invoiceable()
        # Without lines the invoice bills what is still open, against this PO's live invoices;
        # explicit lines are taken as typed (above what is open too) for matching to judge.
        if lines is None:
            built = prefill_open(po, await uow.invoices.invoiced_quantities(po.id))
        else:
            built = build_lines(lines, po)
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
        invoice, portal = await _locked_with_settings(uow, caller, invoice_id)
        ensure_may_change(invoice, by_buyer=caller.is_buyer, portal=portal)
        po = await uow.purchase_orders.find(invoice.purchase_order_id)
        if po is None:
            raise PurchaseOrderNotFound()
        invoice.edit(changes, po, _now())
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
        ensure_may_change(invoice, by_buyer=caller.is_buyer, portal=portal)
        invoice.submit(_now(), issue_date_required=portal.invoice_issue_date_required)
        await uow.save(invoice)
        await uow.commit()
    await faults.reached("invoicing.submit.after_commit")  # a crash here: the outbox still publishes
    return invoice


async def cancel_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    async with uow:
        invoice, portal = await _locked_with_settings(uow, caller, invoice_id)
        ensure_may_cancel(invoice, by_buyer=caller.is_buyer, portal=portal)
        invoice.cancel(by_buyer=caller.is_buyer, now=_now())
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def approve_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    async with uow:
        # FOR UPDATE: of a concurrent approve and reject, the second sees the first's outcome.
        invoice = await uow.invoices.get(invoice_id, scope=caller, for_update=True)
        caller.require_buyer()
        invoice.approve(caller.user_id, is_admin=caller.is_admin, now=_now())
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def reject_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID, reason: str) -> Invoice:
    async with uow:
        invoice = await uow.invoices.get(invoice_id, scope=caller, for_update=True)
        caller.require_buyer()
        invoice.reject(caller.user_id, is_admin=caller.is_admin, reason=reason, now=_now())
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def record_payment(uow: UnitOfWork, caller: Principal, invoice_id: UUID, amount: Decimal) -> Invoice:
    async with uow:
        # FOR UPDATE serialises payments, so their sum is checked against the latest paid total.
        invoice = await uow.invoices.get(invoice_id, scope=caller, for_update=True)
        caller.require_buyer()
        invoice.record_payment(amount, _now())
        await uow.save(invoice)
        await uow.commit()
    return invoice


async def record_verdict(uow: UnitOfWork, verdict: MatchingVerdictIssued) -> None:
    """Move the invoice on by matching's verdict; a verdict on an older submission changes nothing."""
    invoice = await uow.invoices.find(verdict.invoice_id, for_update=True)
    if invoice is None:
        raise RetryLater(f"invoice {verdict.invoice_id} is not here yet")
    if invoice.tenant_id != verdict.tenant_id:
        log.warning("verdict for another tenant's invoice ignored", invoice_id=str(invoice.id))
        return
    po = await uow.purchase_orders.find(invoice.purchase_order_id)
    if po is None:
        raise RetryLater(f"purchase order {invoice.purchase_order_id} is not here yet")
    if not invoice.record_verdict(verdict, approver_id=po.initiator_id, now=_now()):
        log.info("stale verdict ignored", submission=verdict.submission, current=invoice.submission)
        return
    await uow.save(invoice)
