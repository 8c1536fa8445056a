"""Credit notes: what a supplier gives back of an approved invoice, line by line.

A credit note is an ``Invoice`` of kind ``credit_note``: it goes through matching like an
invoice and has its statuses, but takes no payments. Each line refers to a line of the credited
invoice and takes that line's purchase order line, description and tax rate; the supplier says
how much it credits and at what unit price. Crediting more than the invoice billed is not
refused here: matching judges it (``credit_exceeds_invoice``, MATCHING.md) and routes it to the
initiator, as it does an over-billing invoice. Once approved, its gross total lowers the
credited invoice's balance due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from invoicing.domain.errors import InvalidInvoice, InvoiceStateConflict
from invoicing.domain.lines import MAX_LINES, InvoiceLine
from shared.contracts.invoicing import CREDITABLE_INVOICE_STATUSES
from shared.money import line_net
from shared.taxes import line_tax


@dataclass(frozen=True)
class CreditLineDraft:
    """A line of a credit note as the supplier asks for it: which invoice line, how much, at what price."""

    invoice_line_id: UUID
    quantity: Decimal
    unit_price: Decimal


def ensure_creditable(*, kind: str, status: str, number: str) -> None:
    """Only an approved invoice (paid or not) is credited; a credit note is never credited."""
    if kind != "invoice":
        raise InvalidInvoice(
            f"{number} is a credit note; only an invoice can be credited",
            errors=[{"field": "credited_invoice_id", "message": "not an invoice"}],
        )
    if status not in CREDITABLE_INVOICE_STATUSES:
        raise InvoiceStateConflict(
            f"invoice {number} is {status.replace('_', ' ')}; only an approved invoice can be credited"
        )


def _refuse(index: int, name: str, message: str) -> InvalidInvoice:
    return InvalidInvoice(
        f"line {index + 1}: {message}", errors=[{"field": f"lines.{index}.{name}", "message": message}]
    )


def build_credit_lines(
    drafts: Sequence[CreditLineDraft], credited_lines: Sequence[InvoiceLine], currency: str
) -> list[InvoiceLine]:
    """Number the credit note's lines, check each against the credited invoice's lines, price them."""
    if not drafts:
        raise InvalidInvoice(
            "a credit note names the invoice lines it credits",
            errors=[{"field": "lines", "message": "at least one line"}],
        )
    if len(drafts) > MAX_LINES:
        raise InvalidInvoice(f"a credit note has at most {MAX_LINES} lines")
    by_id = {line.line_id: line for line in credited_lines}
    lines = []
    for index, draft in enumerate(drafts):
        credited = by_id.get(draft.invoice_line_id)
        if credited is None:
            raise _refuse(index, "invoice_line_id", "not a line of the credited invoice")
        if not draft.quantity.is_finite() or draft.quantity <= 0:
            raise _refuse(index, "quantity", "must be greater than 0")
        if not draft.unit_price.is_finite() or draft.unit_price < 0:
            raise _refuse(index, "unit_price", "must not be negative")
        net_amount = line_net(draft.quantity, draft.unit_price, currency)
        lines.append(
            InvoiceLine(
                line_id=uuid4(),
                line_no=index + 1,
                purchase_order_line_id=credited.purchase_order_line_id,
                description=credited.description,
                quantity=draft.quantity,
                unit_price=draft.unit_price,
                net_amount=net_amount,
                tax_rate=credited.tax_rate,
                tax_amount=line_tax(net_amount, credited.tax_rate, currency),
                credited_line_id=credited.line_id,
            )
        )
    return lines
