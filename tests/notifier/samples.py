"""Sample events for the notifier tests: whole-state payloads as the other services publish them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.contracts.identity import (
    LoginEmailChangeRequested,
    OrganisationSettingsChanged,
    PasswordResetRequested,
    SupplierInvitationIssued,
    UserRegistered,
    UserUpdated,
)
from shared.contracts.invoicing import (
    InvoiceApprovalRequested,
    InvoiceApproved,
    InvoiceCanceled,
    InvoiceCommentAdded,
    InvoicePaymentRecorded,
    InvoiceRejected,
    InvoiceSnapshot,
    PaymentState,
)
from shared.contracts.orders import (
    FieldChange,
    GoodsReceipt,
    GoodsReceiptLine,
    GoodsReceiptRecorded,
    PurchaseOrderCanceled,
    PurchaseOrderChanged,
    PurchaseOrderClosed,
    PurchaseOrderCommentAdded,
    PurchaseOrderLineState,
    PurchaseOrderSubmitted,
    TermsWarning,
)
from shared.contracts.rfps import RfpAwarded, RfpClosed, RfpLineState, RfpPublished
from shared.contracts.suppliers import SupplierCreated, SupplierUpdated
from shared.sealed_links import LinkOpener, SealedLink, new_link_keys

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TOKEN = "tok_3JmFv0aZ"
# The notifier's key for single-use links in these tests: the sample events' links are sealed to
# it as the gateway seals them (the integration tests give the notifier this key).
LINK_KEY_PEM, _ = new_link_keys()
LINKS = LinkOpener(LINK_KEY_PEM)


def sealed_link(section: str) -> SealedLink:
    """The link to ``section`` with the sample token, as the gateway makes it."""
    return LINKS.seal(f"http://127.0.0.1:8000/{section}/{TOKEN}")


BUYER_NAME = "Globex Buying"


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


def organisation(tenant_id: UUID, *, name: str = BUYER_NAME, revision: int = 1) -> OrganisationSettingsChanged:
    return OrganisationSettingsChanged(
        tenant_id=tenant_id,
        name=name,
        invoice_issue_date_required=False,
        supplier_portal_enabled=True,
        revision=revision,
        updated_at=NOW,
    )


def invitation(
    tenant_id: UUID, supplier_id: UUID, *, email: str = "owner@acme.example", invited_by: str | None = None
) -> SupplierInvitationIssued:
    return SupplierInvitationIssued(
        invitation_id=uuid4(),
        tenant_id=tenant_id,
        supplier_id=supplier_id,
        supplier_name="Acme Tools",
        email=email,
        accept_url=(link := sealed_link("invitations")).shown,
        accept_url_sealed=link.sealed,
        expires_at=NOW + timedelta(days=7),
        invited_by=invited_by,
    )


def password_reset(user_id: UUID, *, email: str = "irene@buyer.example", name: str = "Irene Initiator"):  # type: ignore[no-untyped-def]
    return PasswordResetRequested(
        user_id=user_id,
        email=email,
        name=name,
        reset_url=(link := sealed_link("password-reset")).shown,
        reset_url_sealed=link.sealed,
        expires_at=NOW + timedelta(hours=1),
    )


def login_email_change(  # type: ignore[no-untyped-def]
    user_id: UUID, *, current_email: str = "irene@buyer.example", new_email: str = "irene@new.example"
):
    return LoginEmailChangeRequested(
        user_id=user_id,
        name="Irene Initiator",
        current_email=current_email,
        new_email=new_email,
        confirm_url=(link := sealed_link("email-change")).shown,
        confirm_url_sealed=link.sealed,
        expires_at=NOW + timedelta(days=1),
    )


def purchase_order(
    tenant_id: UUID, supplier_id: UUID, *, number: str = "PO-2026-0042", warnings: list[TermsWarning] | None = None
) -> PurchaseOrderSubmitted:
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
        warnings=warnings or [],
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


def invoice_event(event: type[InvoiceSnapshot], tenant_id: UUID, supplier_id: UUID, status: str, **kw: Any) -> Any:
    """Any invoice event of ``status``; ``kw`` overrides the state (and gives the event's own fields)."""
    own = {name: kw.pop(name) for name in list(kw) if name not in InvoiceSnapshot.model_fields}
    return event(**_invoice_state(tenant_id, supplier_id, status, **kw), **own)


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


def invoice_canceled(tenant_id: UUID, supplier_id: UUID, *, canceled_by: str | None) -> InvoiceCanceled:
    return InvoiceCanceled(**_invoice_state(tenant_id, supplier_id, "canceled"), canceled_by=canceled_by)


def terms_warnings() -> list[TermsWarning]:
    return [
        TermsWarning(code="below_minimum_order_amount", message="The net total is below your minimum of 5,000.00 EUR"),
        TermsWarning(code="inside_lead_time", message="Delivery is sooner than your lead time of 30 days"),
    ]


def purchase_order_changed(tenant_id: UUID, supplier_id: UUID, *changes: FieldChange) -> PurchaseOrderChanged:
    state = purchase_order(tenant_id, supplier_id).model_dump()
    state.update(delivery_date=date(2027, 1, 10), net_total=Decimal("4600.00"), revision=3)
    return PurchaseOrderChanged(**state, changes=list(changes))


def goods_received(tenant_id: UUID, supplier_id: UUID, *, note: str | None = "Pallet 1 of 2") -> GoodsReceiptRecorded:
    """A receipt of 400 of line 1's 1000 (600 received before it) and all 12.5 of line 2."""
    state = purchase_order(tenant_id, supplier_id).model_dump()
    first, second = state["lines"]
    first["received_quantity"], second["received_quantity"] = Decimal("1000"), Decimal("12.5")
    state.update(revision=4)
    receipt = GoodsReceipt(
        receipt_id=uuid4(),
        number="PO-2026-0042-GR2",
        received_on=date(2026, 12, 14),
        note=note,
        lines=[
            GoodsReceiptLine(purchase_order_line_id=first["line_id"], quantity=Decimal("400")),
            GoodsReceiptLine(purchase_order_line_id=second["line_id"], quantity=Decimal("12.5")),
        ],
        status="recorded",
        recorded_by=uuid4(),
        recorded_at=NOW,
    )
    return GoodsReceiptRecorded(**state, receipt=receipt)


def purchase_order_ended(  # type: ignore[no-untyped-def]
    tenant_id: UUID, supplier_id: UUID, status: str, *, sent: bool = True, **kw: Any
):
    """A canceled or closed PO (``status``); ``sent`` False: one that never left the buyer (a draft)."""
    state = purchase_order(tenant_id, supplier_id).model_dump()
    state.update(status=status, revision=4, submitted_at=NOW if sent else None, **kw)
    return (PurchaseOrderCanceled if status == "canceled" else PurchaseOrderClosed)(**state)


def purchase_order_comment(  # type: ignore[no-untyped-def]
    tenant_id: UUID, supplier_id: UUID, initiator_id: UUID, *, author_role: str, body: str, **kw: Any
):
    return PurchaseOrderCommentAdded(
        comment_id=uuid4(),
        purchase_order_id=kw.pop("purchase_order_id", uuid4()),
        tenant_id=tenant_id,
        number="PO-000001",
        supplier_id=supplier_id,
        initiator_id=initiator_id,
        author_id=uuid4(),
        author_role=author_role,
        body=body,
        created_at=NOW,
        **kw,
    )


def invoice_comment(  # type: ignore[no-untyped-def]
    tenant_id: UUID, supplier_id: UUID, initiator_id: UUID | None, *, author_role: str, body: str, **kw: Any
):
    return InvoiceCommentAdded(
        comment_id=uuid4(),
        invoice_id=uuid4(),
        purchase_order_id=kw.pop("purchase_order_id", uuid4()),
        tenant_id=tenant_id,
        number="INV-77",
        purchase_order_number="PO-000001",
        supplier_id=supplier_id,
        initiator_id=initiator_id,
        author_id=uuid4(),
        author_role=author_role,
        body=body,
        created_at=NOW,
        **kw,
    )


def _rfp_state(tenant_id: UUID, supplier_ids: list[UUID], status: str, **kw: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "rfp_id": uuid4(),
        "tenant_id": tenant_id,
        "number": "RFP-000001",
        "title": "Fasteners for 2027",
        "due_date": datetime(2026, 12, 1, 17, 0, tzinfo=timezone(timedelta(hours=1))),
        "currency": "EUR",
        "status": status,
        "lines": [
            RfpLineState(
                rfp_line_id=uuid4(), line_no=1, description="Hex bolt M8", quantity=Decimal("5000"), unit="pcs"
            ),
            RfpLineState(rfp_line_id=uuid4(), line_no=2, description="Washer 8mm", quantity=Decimal("2500.500")),
        ],
        "supplier_ids": supplier_ids,
        "created_by": uuid4(),
        "published_at": NOW,
        "revision": 2,
    }
    state.update(kw)
    return state


def rfp_published(tenant_id: UUID, *supplier_ids: UUID, **kw: Any) -> RfpPublished:
    return RfpPublished(**_rfp_state(tenant_id, list(supplier_ids), "published", **kw))


def rfp_awarded(tenant_id: UUID, winner: UUID, *others: UUID, **kw: Any) -> RfpAwarded:
    participant_ids = kw.pop("participant_ids", [winner, *others])
    state = _rfp_state(
        tenant_id,
        kw.pop("supplier_ids", [winner, *others]),
        "awarded",
        awarded_proposal_id=uuid4(),
        awarded_supplier_id=winner,
        purchase_order_id=uuid4(),
        revision=5,
        **kw,
    )
    return RfpAwarded(**state, participant_ids=participant_ids)


def rfp_closed(tenant_id: UUID, *supplier_ids: UUID, **kw: Any) -> RfpClosed:
    return RfpClosed(**_rfp_state(tenant_id, list(supplier_ids), "closed", revision=3, **kw))
