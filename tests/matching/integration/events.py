"""Contract payloads the matching service consumes, as suppliers, orders and invoicing publish them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from shared.contracts import EventPayload
from shared.contracts.invoicing import InvoiceLineState, InvoiceSnapshot, InvoiceSubmitted
from shared.contracts.orders import PurchaseOrderLineState, PurchaseOrderSnapshot, PurchaseOrderSubmitted
from shared.contracts.suppliers import SupplierCreated, SupplierSnapshot

P = TypeVar("P", bound=EventPayload)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def restate(kind: type[P], snapshot: EventPayload, **changes: Any) -> P:
    """The same entity as another event type, with some of its state changed."""
    return kind.model_validate({**snapshot.model_dump(), **changes})


def supplier(tenant_id: UUID, *, tolerance_rate: str = "5", revision: int = 1) -> SupplierSnapshot:
    return SupplierCreated(
        supplier_id=uuid.uuid4(),
        tenant_id=tenant_id,
        name="Acme Tools",
        email="sales@acme.example",
        currency="EUR",
        tolerance_rate=Decimal(tolerance_rate),
        portal_status="active",
        revision=revision,
        updated_at=NOW,
    )


def purchase_order(
    vendor: SupplierSnapshot, *lines: tuple[str, str], status: str = "sent", revision: int = 2
) -> PurchaseOrderSnapshot:
    states = [
        PurchaseOrderLineState(
            line_id=uuid.uuid4(),
            line_no=no,
            description=f"item {no}",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            net_amount=Decimal(quantity) * Decimal(price),
            invoiced_quantity=Decimal(0),
            remaining_quantity=Decimal(quantity),
        )
        for no, (quantity, price) in enumerate(lines, start=1)
    ]
    return PurchaseOrderSubmitted(
        purchase_order_id=uuid.uuid4(),
        tenant_id=vendor.tenant_id,
        number=f"PO-{uuid.uuid4().hex[:6]}",
        supplier_id=vendor.supplier_id,
        supplier_name=vendor.name,
        currency="EUR",
        status=status,  # type: ignore[arg-type]
        initiator_id=uuid.uuid4(),
        net_total=sum((line.net_amount for line in states), Decimal(0)),
        lines=states,
        created_at=NOW,
        submitted_at=NOW,
        revision=revision,
    )


def invoice(
    po: PurchaseOrderSnapshot,
    *rows: tuple[int | None, str, str],
    kind: type[InvoiceSnapshot] = InvoiceSubmitted,
    submission: int = 1,
    revision: int = 2,
    invoice_id: UUID | None = None,
    **extra: Any,
) -> InvoiceSnapshot:
    """An invoice of ``po``; a row names the PO line by its index (None: a new item)."""
    lines = [
        InvoiceLineState(
            line_id=uuid.uuid4(),
            line_no=no,
            purchase_order_line_id=None if index is None else po.lines[index].line_id,
            description="extra" if index is None else po.lines[index].description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            net_amount=Decimal(quantity) * Decimal(price),
        )
        for no, (index, quantity, price) in enumerate(rows, start=1)
    ]
    return kind.model_validate(
        {
            "invoice_id": invoice_id or uuid.uuid4(),
            "tenant_id": po.tenant_id,
            "purchase_order_id": po.purchase_order_id,
            "purchase_order_number": po.number,
            "supplier_id": po.supplier_id,
            "number": f"INV-{uuid.uuid4().hex[:6]}",
            "currency": po.currency,
            "status": "matching",
            "submission": submission,
            "submitted_at": NOW,
            "net_total": sum((line.net_amount for line in lines), Decimal(0)),
            "lines": lines,
            "paid_total": Decimal(0),
            "revision": revision,
            **extra,
        }
    )


def credit_note(
    credited: InvoiceSnapshot, *rows: tuple[int, str, str], submission: int = 1, revision: int = 2
) -> InvoiceSnapshot:
    """A submitted credit note of ``credited``; a row names the invoice line it gives back by its index."""
    lines = [
        InvoiceLineState(
            line_id=uuid.uuid4(),
            line_no=no,
            purchase_order_line_id=credited.lines[index].purchase_order_line_id,
            description=credited.lines[index].description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            net_amount=Decimal(quantity) * Decimal(price),
            credited_line_id=credited.lines[index].line_id,
        )
        for no, (index, quantity, price) in enumerate(rows, start=1)
    ]
    return InvoiceSubmitted.model_validate(
        {
            **credited.model_dump(),
            "invoice_id": uuid.uuid4(),
            "number": f"CN-{uuid.uuid4().hex[:6]}",
            "status": "matching",
            "submission": submission,
            "net_total": sum((line.net_amount for line in lines), Decimal(0)),
            "lines": lines,
            "revision": revision,
            "kind": "credit_note",
            "credited_invoice_id": credited.invoice_id,
        }
    )
