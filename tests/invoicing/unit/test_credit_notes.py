"""Credit notes in the invoice aggregate: made of an approved invoice's lines, never paid, and once
approved lowering that invoice's balance due."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from invoicing.domain.credit_notes import CreditLineDraft
from invoicing.domain.errors import InvalidInvoice, InvoiceStateConflict, PaymentExceedsTotal
from invoicing.domain.lines import LineDraft
from invoicing.domain.model import Invoice
from shared.contracts.invoicing import InvoiceApproved, InvoiceCredited, InvoiceSubmitted
from tests.invoicing.unit.fakes import NOW, make_invoice, make_po, make_verdict


def approved_invoice() -> Invoice:
    """30 × 100.00 at 20 % and 5 × 10.00 at 0 %: net 3,050.00, gross 3,650.00, approved."""
    po = make_po(("50", "100.00", "20"), ("5", "10.00", "0"))
    first, second = po.lines
    invoice = make_invoice(
        po,
        [
            LineDraft(first.line_id, Decimal(30), first.unit_price),
            LineDraft(second.line_id, Decimal(5), second.unit_price),
        ],
    )
    invoice.submit(NOW)
    invoice.record_verdict(make_verdict(invoice), approver_id=po.initiator_id, now=NOW)
    invoice.events.clear()
    return invoice


def credit(invoice: Invoice, *rows: tuple[int, str, str], number: str = "CN-1") -> Invoice:
    drafts = [CreditLineDraft(invoice.lines[index].line_id, Decimal(q), Decimal(p)) for index, q, p in rows]
    return Invoice.credit_note(credited=invoice, number=number, issue_date=None, lines=drafts, now=NOW)


def approve(credit_note: Invoice) -> None:
    credit_note.submit(NOW)
    credit_note.record_verdict(make_verdict(credit_note), approver_id=uuid4(), now=NOW)


def test_a_credit_note_takes_its_invoice_lines_order_line_description_and_tax_rate() -> None:
    invoice = approved_invoice()
    note = credit(invoice, (0, "5", "100.00"))

    assert (note.kind, note.credited_invoice_id, note.purchase_order_id) == (
        "credit_note",
        invoice.id,
        invoice.purchase_order_id,
    )
    [line] = note.lines
    assert (line.credited_line_id, line.purchase_order_line_id, line.description) == (
        invoice.lines[0].line_id,
        invoice.lines[0].purchase_order_line_id,
        invoice.lines[0].description,
    )
    assert (line.tax_rate, line.net_amount, line.tax_amount) == (Decimal(20), Decimal("500.00"), Decimal("100.00"))
    assert (note.net_total, note.gross_total) == (Decimal("500.00"), Decimal("600.00"))


def test_a_submitted_credit_note_says_so_and_falls_due_on_no_day() -> None:
    note = credit(approved_invoice(), (0, "5", "100.00"))
    note.submit(NOW, payment_terms_days=30)

    [event] = note.events
    assert isinstance(event, InvoiceSubmitted)
    assert (event.kind, event.due_date, event.lines[0].credited_line_id) == (
        "credit_note",
        None,
        note.lines[0].credited_line_id,
    )


@pytest.mark.parametrize("status", ["draft", "matching", "pending", "rejected", "canceled"])
def test_only_an_approved_invoice_is_credited(status: str) -> None:
    invoice = approved_invoice()
    invoice.status = status  # type: ignore[assignment]
    with pytest.raises(InvoiceStateConflict, match="only an approved invoice can be credited"):
        credit(invoice, (0, "1", "100.00"))


def test_a_credit_note_is_never_credited() -> None:
    note = credit(approved_invoice(), (0, "1", "100.00"))
    approve(note)
    with pytest.raises(InvalidInvoice, match="only an invoice can be credited"):
        credit(note, (0, "1", "100.00"), number="CN-2")


def test_a_line_must_be_one_of_the_credited_invoices() -> None:
    invoice = approved_invoice()
    with pytest.raises(InvalidInvoice) as refused:
        Invoice.credit_note(
            credited=invoice,
            number="CN-1",
            issue_date=None,
            lines=[CreditLineDraft(uuid4(), Decimal(1), Decimal(1))],
            now=NOW,
        )
    assert refused.value.errors == [
        {"field": "lines.0.invoice_line_id", "message": "not a line of the credited invoice"}
    ]


def test_crediting_more_than_was_billed_is_left_to_matching_to_judge() -> None:
    note = credit(approved_invoice(), (0, "31", "100.00"))
    assert note.lines[0].quantity == Decimal(31)


def test_a_credit_note_takes_no_payments() -> None:
    note = credit(approved_invoice(), (0, "5", "100.00"))
    approve(note)
    with pytest.raises(InvoiceStateConflict, match="credit note: it takes no payments"):
        note.record_payment(Decimal("1.00"), NOW)
    assert note.balance_due == Decimal("0.00")


def test_an_approved_credit_lowers_the_balance_due_of_its_invoice() -> None:
    invoice = approved_invoice()
    note = credit(invoice, (0, "5", "100.00"))
    approve(note)
    assert isinstance(note.events[-1], InvoiceApproved)

    invoice.apply_credit(note, note.gross_total, NOW)
    assert (invoice.credited_total, invoice.balance_due, invoice.status) == (
        Decimal("600.00"),
        Decimal("3050.00"),
        "approved",
    )
    [event] = invoice.events
    assert isinstance(event, InvoiceCredited)
    assert (event.credit_note_id, event.credited_total, event.balance_due) == (
        note.id,
        Decimal("600.00"),
        Decimal("3050.00"),
    )
    # Applied again (a redelivery): the total is set from what is stored, never added twice.
    invoice.apply_credit(note, note.gross_total, NOW)
    assert invoice.balance_due == Decimal("3050.00")


def test_payments_go_up_to_what_the_credits_left() -> None:
    invoice = approved_invoice()
    note = credit(invoice, (1, "5", "10.00"))  # 50.00 at 0 %
    approve(note)
    invoice.apply_credit(note, note.gross_total, NOW)
    with pytest.raises(PaymentExceedsTotal):
        invoice.record_payment(Decimal("3600.01"), NOW)
    invoice.record_payment(Decimal("3600.00"), NOW)
    assert (invoice.status, invoice.balance_due) == ("paid", Decimal("0.00"))


def test_a_partly_paid_invoice_whose_credit_covers_the_rest_is_paid() -> None:
    invoice = approved_invoice()
    invoice.record_payment(Decimal("3050.00"), NOW)
    note = credit(invoice, (0, "5", "100.00"))  # gross 600.00: what is left
    approve(note)
    invoice.apply_credit(note, note.gross_total, NOW)
    assert (invoice.status, invoice.balance_due) == ("paid", Decimal("0.00"))


def test_a_paid_invoice_credited_owes_the_buyer_a_refund() -> None:
    invoice = approved_invoice()
    invoice.record_payment(invoice.gross_total, NOW)
    note = credit(invoice, (0, "1", "100.00"))
    approve(note)
    invoice.apply_credit(note, note.gross_total, NOW)
    assert (invoice.status, invoice.balance_due) == ("paid", Decimal("-120.00"))
    assert not invoice.overdue_on(NOW.date().replace(year=NOW.year + 1))


def test_a_credit_note_not_approved_is_not_applied() -> None:
    invoice = approved_invoice()
    note = credit(invoice, (0, "5", "100.00"))
    with pytest.raises(InvoiceStateConflict):
        invoice.apply_credit(note, Decimal("600.00"), NOW)
