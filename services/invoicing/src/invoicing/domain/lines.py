"""Invoice lines: what the supplier bills, checked against the purchase order it refers to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from invoicing.domain.errors import InvalidInvoice, PurchaseOrderNotInvoiceable
from invoicing.domain.read_models import PurchaseOrder
from shared.money import line_net
from shared.taxes import MAX_TAX_RATE, line_tax

MAX_LINES = 500


@dataclass(frozen=True)
class LineDraft:
    """A line as the supplier asks for it; ``purchase_order_line_id`` None is a new item.

    ``tax_rate`` None takes the rate of the PO line it refers to (a new item: 0 %)."""

    purchase_order_line_id: UUID | None
    quantity: Decimal
    unit_price: Decimal
    description: str | None = None
    tax_rate: Decimal | None = None


@dataclass(frozen=True)
class InvoiceLine:
    line_id: UUID
    line_no: int
    purchase_order_line_id: UUID | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    tax_rate: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)
    # On a credit note: the line of the credited invoice this one gives back.
    credited_line_id: UUID | None = None


def _refuse(index: int, name: str, message: str) -> InvalidInvoice:
    return InvalidInvoice(
        f"line {index + 1}: {message}", errors=[{"field": f"lines.{index}.{name}", "message": message}]
    )


def build_lines(drafts: Sequence[LineDraft], po: PurchaseOrder) -> list[InvoiceLine]:
    """Number the lines, check them against ``po`` and price them in the PO's currency.

    Quantities are taken as typed, even above what is left on the PO line: over-billing is
    matching's to judge (over tolerance, needs approval), never silently cut here.
    """
    if len(drafts) > MAX_LINES:
        raise InvalidInvoice(f"an invoice has at most {MAX_LINES} lines")
    lines = []
    for index, draft in enumerate(drafts):
        description, tax_rate = draft.description, draft.tax_rate
        if draft.purchase_order_line_id is not None:
            ordered = po.line(draft.purchase_order_line_id)
            if ordered is None:
                raise _refuse(index, "purchase_order_line_id", "not a line of the purchase order")
            description = description or ordered.description
            tax_rate = ordered.tax_rate if tax_rate is None else tax_rate
        tax_rate = Decimal(0) if tax_rate is None else tax_rate
        if not description:
            raise _refuse(index, "description", "a new item needs a description")
        if not draft.quantity.is_finite() or draft.quantity <= 0:
            raise _refuse(index, "quantity", "must be greater than 0")
        if not draft.unit_price.is_finite() or draft.unit_price < 0:
            raise _refuse(index, "unit_price", "must not be negative")
        if not tax_rate.is_finite() or not 0 <= tax_rate <= MAX_TAX_RATE:
            raise _refuse(index, "tax_rate", f"a tax rate is a percentage from 0 to {MAX_TAX_RATE}")
        net_amount = line_net(draft.quantity, draft.unit_price, po.currency)
        lines.append(
            InvoiceLine(
                line_id=uuid4(),
                line_no=index + 1,
                purchase_order_line_id=draft.purchase_order_line_id,
                description=description,
                quantity=draft.quantity,
                unit_price=draft.unit_price,
                net_amount=net_amount,
                tax_rate=tax_rate,
                tax_amount=line_tax(net_amount, tax_rate, po.currency),
            )
        )
    return lines


def prefill(po: PurchaseOrder, invoiced: Mapping[UUID, Decimal]) -> list[InvoiceLine]:
    """Lines for what is still open on ``po``, at PO prices and tax rates; fully invoiced lines are left out."""
    remaining = po.remaining_quantities(invoiced)
    drafts = [
        LineDraft(line.line_id, remaining[line.line_id], line.unit_price, line.description, line.tax_rate)
        for line in sorted(po.lines, key=lambda line: line.line_no)
        if remaining[line.line_id] > 0
    ]
    return build_lines(drafts, po)


def prefill_open(po: PurchaseOrder, invoiced: Mapping[UUID, Decimal]) -> list[InvoiceLine]:
    """``prefill``, refusing a PO whose live invoices already bill everything it ordered."""
    lines = prefill(po, invoiced)
    if not lines:
        raise PurchaseOrderNotInvoiceable(f"purchase order {po.number} is fully invoiced; it takes no new invoices")
    return lines
