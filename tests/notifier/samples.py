"""Sample events for the notifier tests: whole-state payloads as the other services publish them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.contracts.identity import SupplierInvitationIssued, UserRegistered, UserUpdated
from shared.contracts.invoicing import (
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoicePaymentRecorded,
    InvoiceRejected,
    PaymentState,
)
from shared.contracts.orders import PurchaseOrderLineState, PurchaseOrderSubmitted
from shared.contracts.suppliers import SupplierCreated, SupplierUpdated

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TOKEN = "tok_3JmFv0aZ"


def supplier(tenant_id: UUID, supplier_id: UUID, *, email: str = "sales@acme.example", revision: int = 1, **kw: Any):  # type: ignore[no-untyped-def]
    event = SupplierCreated if revision == 1 else SupplierUpdated
    return event(
        supplier_id=supplier_id,
        tenant_id=tenant_id,
        name=kw.pop("name", "Acme Tools"),
        email=email,
        currency="EUR",
        tolerance_rate=Decimal("5"),
        portal_status="not_invited",
        revision=revision,
        updated_at=NOW,
        **kw,
    )


def user(tenant_id: UUID, user_id: UUID, *, email: str = "irene@buyer.example", updated_at: datetime = NOW):  # type: ignore[no-untyped-def]
    return (UserRegistered if updated_at == NOW else UserUpdated)(
        user_id=user_id,
        tenant_id=tenant_id,
        email=email,
        name="Irene Initiator",
        role="buyer_user",
        updated_at=updated_at,
    )


def invitation(tenant_id: UUID, supplier_id: UUID, *, email: str = "owner@acme.example") -> SupplierInvitationIssued:
    return SupplierInvitationIssued(
        invitation_id=uuid4(),
        tenant_id=tenant_id,
        supplier_id=supplier_id,
        supplier_name="Acme Tools",
        email=email,
        accept_url=f"http://127.0.0.1:8000/invitations/{TOKEN}",
        expires_at=NOW + timedelta(days=7),
    )


def purchase_order(tenant_id: UUID, supplier_id: UUID, *, number: str = "PO-2026-0042") -> PurchaseOrderSubmitted:
    lines = [
        ("Hex bolt M8", "HB-M8", "pcs", "1000", "0.125", "125.00"),
        ("Steel plate 2mm", None, "m2", "12.5", "348.00", "4350.00"),
    ]
    return PurchaseOrderSubmitted(
        purchase_order_id=uuid4(),
        tenant_id=tenant_id,
        number=number,
        supplier_id=supplier_id,
        supplier_name="Acme Tools",
        currency="EUR",
        delivery_date=date(2026, 12, 15),
        status="sent",
        initiator_id=uuid4(),
        net_total=Decimal("4475.00"),
        lines=[
            PurchaseOrderLineState(
                line_id=uuid4(),
                line_no=no,
                sku=sku,
                description=description,
                unit=unit,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                net_amount=Decimal(net),
                invoiced_quantity=Decimal(0),
                remaining_quantity=Decimal(quantity),
            )
            for no, (description, sku, unit, quantity, price, net) in enumerate(lines, start=1)
        ],
        created_at=NOW,
        submitted_at=NOW,
        revision=2,
    )


def _invoice_state(tenant_id: UUID, supplier_id: UUID, status: str, **kw: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "invoice_id": uuid4(),
        "tenant_id": tenant_id,
        "purchase_order_id": uuid4(),
        "purchase_order_number": "PO-2026-0042",
        "supplier_id": supplier_id,
        "number": "INV-77",
        "issue_date": date(2026, 11, 20),
        "currency": "EUR",
        "status": status,
        "submission": 1,
        "submitted_at": NOW,
        "net_total": Decimal("4712.30"),
        "lines": [],
        "paid_total": Decimal("0.00"),
        "revision": 3,
    }
    state.update(kw)
    return state


def approval_requested(tenant_id: UUID, supplier_id: UUID, approver_id: UUID) -> InvoiceApprovalRequested:
    return InvoiceApprovalRequested(**_invoice_state(tenant_id, supplier_id, "pending", approver_id=approver_id))


def approved(tenant_id: UUID, supplier_id: UUID) -> InvoiceApproved:
    return InvoiceApproved(**_invoice_state(tenant_id, supplier_id, "approved"), auto_approved=False)


def rejected(
    tenant_id: UUID, supplier_id: UUID, reason: str = "Unit price of the steel plate is not agreed"
) -> InvoiceRejected:
    return InvoiceRejected(**_invoice_state(tenant_id, supplier_id, "rejected", rejection_reason=reason))


def payment(tenant_id: UUID, supplier_id: UUID, *, amount: str, paid_total: str) -> InvoicePaymentRecorded:
    status = "paid" if Decimal(paid_total) >= Decimal("4712.30") else "partly_paid"
    recorded = PaymentState(payment_id=uuid4(), amount=Decimal(amount), paid_at=NOW)
    return InvoicePaymentRecorded(
        **_invoice_state(tenant_id, supplier_id, status, paid_total=Decimal(paid_total), payments=[recorded]),
        payment=recorded,
    )
