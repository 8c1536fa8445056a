"""Invoices in the states the rule tests start from."""

from __future__ import annotations

import pytest

from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from tests.invoicing.unit.fakes import NOW, make_invoice, make_po, make_verdict


@pytest.fixture
def po() -> PurchaseOrder:
    return make_po(("10", "100.00"))


@pytest.fixture
def pending(po: PurchaseOrder) -> Invoice:
    """An invoice that matching sent to the PO initiator."""
    invoice = make_invoice(po)
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice, "needs_approval"), approver_id=po.initiator_id, now=NOW)
    invoice.events.clear()
    return invoice


@pytest.fixture
def approved(po: PurchaseOrder) -> Invoice:
    """An invoice that matching approved on the spot (net total 1000.00)."""
    invoice = make_invoice(po)
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
    invoice.events.clear()
    return invoice
