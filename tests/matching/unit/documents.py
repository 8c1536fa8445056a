"""Purchase orders and invoices for the matching rules, written the way the matching rules talk about them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from matching.domain.model import Invoice, InvoiceLine, OrderLine, PurchaseOrder

TENANT = uuid.UUID("00000000-0000-0000-0000-00000000000a")
SUPPLIER = uuid.UUID("00000000-0000-0000-0000-00000000000b")

# A quantity and a unit price, as strings or Decimals.
Billed = tuple[str | Decimal, str | Decimal]
# An invoice line: the PO line it bills (None for a new item), quantity and unit price.
InvoiceRow = tuple[OrderLine | UUID | None, str | Decimal, str | Decimal]


def order(
    *lines: Billed, status: str = "sent", currency: str = "EUR", received: tuple[str, ...] | None = None
) -> PurchaseOrder:
    """A PO of ``lines``; with ``received`` (one quantity per line), matched against its receipts."""
    order_lines = tuple(
        OrderLine(
            line_id=uuid.uuid4(),
            line_no=no,
            description=f"item {no}",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            net_amount=Decimal(quantity) * Decimal(price),
            received_quantity=Decimal(received[no - 1]) if received else Decimal(0),
        )
        for no, (quantity, price) in enumerate(lines, start=1)
    )
    total = sum((line.net_amount for line in order_lines), Decimal(0))
    return PurchaseOrder(
        uuid.uuid4(),
        TENANT,
        SUPPLIER,
        currency,
        status,
        total,
        order_lines,
        revision=1,
        match_against_receipts=received is not None,
    )


def received(po: PurchaseOrder, *quantities: str, revision: int = 2) -> PurchaseOrder:
    """``po`` after goods receipts: each line's received quantity in all."""
    lines = tuple(replace(line, received_quantity=Decimal(q)) for line, q in zip(po.lines, quantities, strict=True))
    return replace(po, lines=lines, revision=revision)


def worked_example_order(**kwargs: str) -> PurchaseOrder:
    """The PO of the worked examples of the matching rules: net total 5,000.00 on two lines."""
    return order(("1", "3000.00"), ("20", "100.00"), **kwargs)


def invoice(
    po: PurchaseOrder,
    *rows: InvoiceRow,
    status: str = "matching",
    submission: int = 1,
    invoice_id: UUID | None = None,
    number: str = "",
    issue_date: date | None = None,
) -> Invoice:
    lines = tuple(
        InvoiceLine(
            line_id=uuid.uuid4(),
            line_no=no,
            purchase_order_line_id=target.line_id if isinstance(target, OrderLine) else target,
            description=target.description if isinstance(target, OrderLine) else "not ordered",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            net_amount=Decimal(quantity) * Decimal(price),
        )
        for no, (target, quantity, price) in enumerate(rows, start=1)
    )
    total = sum((line.net_amount for line in lines), Decimal(0))
    return Invoice(
        id=invoice_id or uuid.uuid4(),
        tenant_id=TENANT,
        purchase_order_id=po.id,
        status=status,
        submission=submission,
        net_total=total,
        lines=lines,
        revision=1,
        supplier_id=SUPPLIER,
        number=number or f"INV-{uuid.uuid4().hex[:8]}",
        issue_date=issue_date,
        gross_total=total,
    )


def as_ordered(po: PurchaseOrder, **kwargs: object) -> Invoice:
    """An invoice that bills every PO line exactly as ordered."""
    return invoice(po, *((line, line.quantity, line.unit_price) for line in po.lines), **kwargs)  # type: ignore[arg-type]


# A credit note line: the invoice line it gives back, quantity and unit price.
CreditRow = tuple[InvoiceLine, str | Decimal, str | Decimal]


def credit_note(credited: Invoice, *rows: CreditRow, status: str = "matching", submission: int = 1) -> Invoice:
    """A credit note of ``credited``: each line gives back some of one of its lines."""
    lines = tuple(
        InvoiceLine(
            line_id=uuid.uuid4(),
            line_no=no,
            purchase_order_line_id=target.purchase_order_line_id,
            description=target.description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            net_amount=Decimal(quantity) * Decimal(price),
            credited_line_id=target.line_id,
        )
        for no, (target, quantity, price) in enumerate(rows, start=1)
    )
    return Invoice(
        id=uuid.uuid4(),
        tenant_id=TENANT,
        purchase_order_id=credited.purchase_order_id,
        status=status,
        submission=submission,
        net_total=sum((line.net_amount for line in lines), Decimal(0)),
        lines=lines,
        revision=1,
        kind="credit_note",
        credited_invoice_id=credited.id,
    )
