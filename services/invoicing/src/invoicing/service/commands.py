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
    ensure_may_record_payments,
    ensure_only_what_remains,
    ensure_still_to_invoice,
)
from invoicing.domain.credit_notes import CreditLineDraft, build_credit_lines
from invoicing.domain.errors import DuplicateInvoiceNumber, InvalidInvoice, InvoiceNotFound, PurchaseOrderNotFound
from invoicing.domain.lines import InvoiceLine, LineDraft, build_lines, prefill_open
from invoicing.domain.model import Invoice
from invoicing.domain.payment_terms import payment_terms_days
from invoicing.service.purchase_order_wait import PurchaseOrderWait
from invoicing.service.unit_of_work import UnitOfWork
from shared import faults
from shared.auth import Principal


def _now() -> datetime:
    return datetime.now(UTC)


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
        # The claims are read with the order whenever they may be needed: the caller is restricted
        # on some supplier's records (this order's, its read tells), or the lines are prefilled.
        basis = await uow.drafts.basis(
            purchase_order_id,
            scope=caller,
            number=number,
            claimed=lines is None or bool(caller.restricted_supplier_ids),
        )
        po = basis.purchase_order
        ensure_may_create(by_buyer=caller.is_buyer, portal=basis.portal)
        restricted = caller.is_restricted(po.supplier_id)
        claimed = basis.claimed or {}
        if restricted:
            ensure_still_to_invoice(po, claimed)
        po.ensure_invoiceable()
        # Without lines the invoice bills what is still open, against this PO's live invoices;
        # explicit lines are taken as typed (above what is open too) for matching to judge,
        # except from a supplier whose buyer switched the portal off: it bills what remains.
        built = prefill_open(po, claimed) if lines is None else build_lines(lines, po)
        if restricted:
            ensure_only_what_remains(po, built, claimed)
        if basis.number_taken:
            raise DuplicateInvoiceNumber(number)
        invoice = Invoice.draft(
            po=po, number=number, issue_date=issue_date, lines=built, now=_now(), created_by_buyer=caller.is_buyer
        )
        await uow.save(invoice, new=True)
        await uow.commit()
    return invoice


async def create_credit_note(
    uow: UnitOfWork,
    caller: Principal,
    *,
    credited_invoice_id: UUID,
    purchase_order_id: UUID | None,
    number: str,
    issue_date: date | None,
    lines: Sequence[CreditLineDraft],
) -> Invoice:
    """A draft credit note of lines of the caller's approved invoice, by whoever may write its invoices."""
    async with uow:
        credited = await uow.invoices.get(credited_invoice_id, scope=caller)
        if purchase_order_id is not None and purchase_order_id != credited.purchase_order_id:
            raise InvalidInvoice(
                f"invoice {credited.number} bills another purchase order; a credit note is of the invoice's order",
                errors=[{"field": "purchase_order_id", "message": "not the credited invoice's purchase order"}],
            )
        ensure_may_create(by_buyer=caller.is_buyer, portal=await uow.organisations.settings_of(credited.tenant_id))
        if await uow.invoices.number_taken(credited.supplier_id, number):
            raise DuplicateInvoiceNumber(number)
        credit_note = Invoice.credit_note(
            credited=credited,
            number=number,
            issue_date=issue_date,
            lines=list(lines),
            now=_now(),
            created_by_buyer=caller.is_buyer,
        )
        await uow.save(credit_note, new=True)
        await uow.commit()
    return credit_note


async def _credited_invoice(uow: UnitOfWork, credit_note: Invoice, *, for_update: bool = False) -> Invoice:
    if credit_note.credited_invoice_id is None:
        raise InvoiceNotFound()
    credited = await uow.invoices.find(credit_note.credited_invoice_id, for_update=for_update)
    if credited is None or credited.tenant_id != credit_note.tenant_id:
        raise InvoiceNotFound()
    return credited


async def _edited_lines(uow: UnitOfWork, invoice: Invoice, changes: dict[str, Any]) -> list[InvoiceLine] | None:
    """The new lines of an edit, built against the credited invoice (a credit note) or the order."""
    if "lines" not in changes:
        return None
    drafts = changes["lines"]
    if invoice.is_credit_note:
        if not all(isinstance(draft, CreditLineDraft) for draft in drafts):
            raise InvalidInvoice(
                "a credit note's lines name the invoice lines they credit (invoice_line_id)",
                errors=[{"field": "lines", "message": "lines of the credited invoice"}],
            )
        credited = await _credited_invoice(uow, invoice)
        return build_credit_lines(drafts, credited.lines, credited.currency)
    if not all(isinstance(draft, LineDraft) for draft in drafts):
        raise InvalidInvoice(
            "an invoice's lines name the purchase order lines they bill (purchase_order_line_id)",
            errors=[{"field": "lines", "message": "lines of the purchase order"}],
        )
    po = await uow.purchase_orders.find(invoice.purchase_order_id)
    if po is None:
        raise PurchaseOrderNotFound()
    return build_lines(drafts, po)


async def edit_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID, changes: dict[str, Any]) -> Invoice:
    async with uow:
        invoice, _, _ = await uow.invoices.get_with_settings(invoice_id, scope=caller)
        ensure_may_change(invoice, by_buyer=caller.is_buyer)
        invoice.edit(changes, _now(), lines=await _edited_lines(uow, invoice, changes))
        if caller.is_restricted(invoice.supplier_id) and not invoice.is_credit_note:
            po = await uow.purchase_orders.find(invoice.purchase_order_id)
            if po is None:
                raise PurchaseOrderNotFound()
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
        invoice, portal, supplier_terms = await uow.invoices.get_with_settings(invoice_id, scope=caller)
        ensure_may_change(invoice, by_buyer=caller.is_buyer)
        if caller.is_restricted(invoice.supplier_id) and not invoice.is_credit_note:
            await _ensure_only_what_remains(uow, invoice)
        terms = payment_terms_days(supplier_terms, portal.default_payment_terms_days)
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
        invoice, _, _ = await uow.invoices.get_with_settings(invoice_id, scope=caller)
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
        await credit_if_approved(uow, invoice)
        await uow.commit()
    return invoice


async def credit_if_approved(uow: UnitOfWork, invoice: Invoice) -> None:
    """A credit note just approved (by its verdict or a person) lowers its invoice's balance due,
    in the same transaction: the two never disagree. The credit note is saved first, so the sum
    of approved credits counts it."""
    if not (invoice.is_credit_note and invoice.status == "approved"):
        return
    credited = await _credited_invoice(uow, invoice, for_update=True)
    credited.apply_credit(invoice, await uow.invoices.credited_total(credited.id), _now())
    await uow.save(credited)


async def approve_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID) -> Invoice:
    return await _buyers_decision(
        uow, caller, invoice_id, lambda invoice: invoice.approve(caller.user_id, is_admin=caller.is_admin, now=_now())
    )


async def reject_invoice(uow: UnitOfWork, caller: Principal, invoice_id: UUID, reason: str) -> Invoice:
    def reject(invoice: Invoice) -> None:
        invoice.reject(caller.user_id, is_admin=caller.is_admin, reason=reason, now=_now())

    return await _buyers_decision(uow, caller, invoice_id, reject)


async def record_payment(uow: UnitOfWork, caller: Principal, invoice_id: UUID, amount: Decimal) -> Invoice:
    """A buyer admin's: a buyer user is refused (403) once the invoice is found to be its tenant's."""

    def pay(invoice: Invoice) -> None:
        ensure_may_record_payments(is_admin=caller.is_admin)
        invoice.record_payment(amount, _now())

    return await _buyers_decision(uow, caller, invoice_id, pay)
