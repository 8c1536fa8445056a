"""Payments: only on approved invoices, in the currency's unit, up to the gross total."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.domain.errors import InvalidInvoice, InvoiceStateConflict, PaymentExceedsTotal
from invoicing.domain.model import Invoice
from invoicing.domain.read_models import PurchaseOrder
from tests.invoicing.unit.fakes import NOW, make_invoice, make_po, make_verdict


def approved_invoice(total: str, tax_rate: str = "0") -> Invoice:
    po = make_po(("1", total, tax_rate))
    invoice = make_invoice(po)
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
    invoice.events.clear()
    return invoice


def test_a_partial_payment_makes_the_invoice_partly_paid_and_the_rest_paid(approved: Invoice) -> None:
    approved.record_payment(Decimal("400.00"), NOW)
    assert (approved.status, approved.paid_total) == ("partly_paid", Decimal("400.00"))
    approved.record_payment(Decimal("600.00"), NOW)
    assert (approved.status, approved.paid_total) == ("paid", Decimal("1000.00"))
    assert [e.event_type for e in approved.events] == ["InvoicePaymentRecorded"] * 2
    assert approved.events[-1].payment.amount == Decimal("600.00")  # type: ignore[attr-defined]


def test_a_payment_beyond_what_is_left_is_refused(approved: Invoice) -> None:
    approved.record_payment(Decimal("999.99"), NOW)
    with pytest.raises(PaymentExceedsTotal, match=r"\(0\.01 EUR\)"):
        approved.record_payment(Decimal("0.02"), NOW)
    assert approved.paid_total == Decimal("999.99")


@pytest.mark.parametrize("amount", ["0", "-5", "0.001"])
def test_a_payment_is_positive_and_in_cents(approved: Invoice, amount: str) -> None:
    with pytest.raises(InvalidInvoice):
        approved.record_payment(Decimal(amount), NOW)


def test_an_invoice_that_is_not_approved_cannot_be_paid(pending: Invoice, po: PurchaseOrder) -> None:
    with pytest.raises(
        InvoiceStateConflict, match=r"^invoice INV-1 is pending approval; only approved invoices can be paid$"
    ):
        pending.record_payment(Decimal("1.00"), NOW)
    draft = make_invoice(po)
    with pytest.raises(InvoiceStateConflict):
        draft.record_payment(Decimal("1.00"), NOW)


amounts = st.decimals(min_value="0.01", max_value=2000, places=2)


def test_a_taxed_invoice_is_paid_in_full_at_its_gross_total_not_its_net() -> None:
    invoice = approved_invoice("1000.00", tax_rate="20")
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        Decimal("1000.00"),
        Decimal("200.00"),
        Decimal("1200.00"),
    )
    invoice.record_payment(Decimal("1000.00"), NOW)
    assert (invoice.status, invoice.balance_due) == ("partly_paid", Decimal("200.00"))
    with pytest.raises(PaymentExceedsTotal, match=r"balance due on the invoice \(200\.00 EUR\)"):
        invoice.record_payment(Decimal("200.01"), NOW)
    invoice.record_payment(Decimal("200.00"), NOW)
    assert (invoice.status, invoice.balance_due) == ("paid", Decimal("0.00"))
    event = invoice.events[-1]
    assert (event.gross_total, event.balance_due) == (Decimal("1200.00"), Decimal("0.00"))  # type: ignore[attr-defined]


@given(
    total=st.decimals(min_value="0.01", max_value=1500, places=2),
    tax_rate=st.sampled_from(["0", "7.5", "20"]),
    attempts=st.lists(amounts, max_size=12),
)
def test_payments_never_exceed_the_gross_total(total: Decimal, tax_rate: str, attempts: list[Decimal]) -> None:
    invoice = approved_invoice(str(total), tax_rate)
    for amount in attempts:
        # Once paid the invoice refuses by status; before that only by the amount.
        with contextlib.suppress(PaymentExceedsTotal, InvoiceStateConflict):
            invoice.record_payment(amount, NOW)
        assert invoice.paid_total <= invoice.gross_total
        assert invoice.balance_due == invoice.gross_total - invoice.paid_total >= 0
        assert (invoice.status == "paid") == (invoice.balance_due == 0)
    assert invoice.paid_total == sum((p.amount for p in invoice.payments), Decimal(0))
