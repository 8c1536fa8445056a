"""Fakes for the invoicing rules: a purchase order read model, invoices made from it, verdicts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from invoicing.domain.lines import LineDraft, build_lines
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder, PurchaseOrderLine
from invoicing.domain.verdicts import Verdict
from invoicing.service.handlers import verdict_of
from shared.contracts.matching import MatchingVerdictIssued

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_po(*lines: tuple[str, ...], status: str = "sent", currency: str = "EUR") -> PurchaseOrder:
    """A PO with lines given as (quantity, unit price) or (quantity, unit price, tax rate)."""
    return PurchaseOrder(
        id=uuid4(),
        tenant_id=uuid4(),
        supplier_id=uuid4(),
        number="PO-1",
        currency=currency,
        status=status,
        initiator_id=uuid4(),
        revision=1,
        lines=tuple(
            PurchaseOrderLine(
                uuid4(), n, f"item {n}", Decimal(quantity), Decimal(price), Decimal(rate[0] if rate else 0)
            )
            for n, (quantity, price, *rate) in enumerate(lines or (("10", "100.00"),), start=1)
        ),
    )


def make_invoice(po: PurchaseOrder, lines: list[LineDraft] | None = None) -> Invoice:
    drafts = lines if lines is not None else [LineDraft(ln.line_id, ln.quantity, ln.unit_price) for ln in po.lines]
    return Invoice.draft(po=po, number="INV-1", issue_date=None, lines=build_lines(drafts, po), now=NOW)


def make_verdict(invoice: Invoice, outcome: str = "auto_approved", **overrides: Any) -> Verdict:
    """Matching's verdict on the invoice's current submission, as the invoice keeps it."""
    return verdict_of(make_verdict_event(invoice, outcome, **overrides))


def make_verdict_event(invoice: Invoice, outcome: str = "auto_approved", **overrides: Any) -> MatchingVerdictIssued:
    fields: dict[str, Any] = {
        "verdict_id": uuid4(),
        "tenant_id": invoice.tenant_id,
        "invoice_id": invoice.id,
        "purchase_order_id": invoice.purchase_order_id,
        "submission": invoice.submission,
        "outcome": outcome,
        "reasons": [] if outcome == "auto_approved" else ["over_tolerance"],
        "currency": invoice.currency,
        "tolerance_rate": Decimal("5"),
        "tolerance_limit": Decimal("50.00"),
        "po_net_total": Decimal("1000.00"),
        "open_net": Decimal("1000.00"),
        "invoice_net_total": invoice.net_total,
        "excess": invoice.net_total - Decimal("1000.00"),
        "lines": [],
        "issued_at": NOW,
    }
    fields.update(overrides)
    return MatchingVerdictIssued(**fields)
