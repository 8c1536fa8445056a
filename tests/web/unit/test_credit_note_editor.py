"""The credit note editor's rules: the credited invoice's lines, what is given back of each, checked,
totalled, and sent as the API's body."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from web.domain.credit_note_editor import CreditNoteEditor

INVOICE: dict[str, Any] = {
    "id": "inv-1",
    "number": "INV-1",
    "currency": "EUR",
    "lines": [
        {"id": "l1", "description": "Chairs", "quantity": "30", "unit_price": "100.00", "tax_rate": "20"},
        {"id": "l2", "description": "Manual", "quantity": "5.000", "unit_price": "10.5", "tax_rate": "0"},
    ],
}


def form_of(editor: CreditNoteEditor, **extra: str) -> dict[str, str]:
    values = {"line_count": str(len(editor.lines)), "number": editor.number, "issue_date": editor.issue_date}
    for index, line in enumerate(editor.lines):
        values |= {
            f"line-{index}-invoice_line_id": line.invoice_line_id,
            f"line-{index}-quantity": line.quantity,
            f"line-{index}-unit_price": line.unit_price,
        }
    return values | extra


def test_a_new_credit_note_offers_every_invoice_line_at_its_price_crediting_nothing_yet() -> None:
    editor = CreditNoteEditor.of_invoice(INVOICE)
    assert [(line.description, line.quantity, line.unit_price, line.tax_rate) for line in editor.lines] == [
        ("Chairs", "", "100.00", "20"),
        ("Manual", "", "10.50", "0"),
    ]
    assert editor.credited_lines == []
    assert editor.problems() == {
        "number": "Enter the credit note's number.",
        "lines": "Enter how much of at least one line you give back.",
    }


def test_only_the_lines_given_back_are_sent_and_totalled_at_the_invoice_lines_rates() -> None:
    typed = CreditNoteEditor.from_form(
        form_of(CreditNoteEditor.of_invoice(INVOICE), **{"number": " CN-1 ", "line-0-quantity": "5"}), INVOICE
    )
    assert typed.api_body() == {
        "number": "CN-1",
        "issue_date": None,
        "lines": [{"invoice_line_id": "l1", "quantity": "5", "unit_price": "100.00"}],
    }
    totals = typed.totals()
    assert totals is not None
    assert (totals.net_total, totals.tax_total, totals.gross_total) == (
        Decimal("500.00"),
        Decimal("100.00"),
        Decimal("600.00"),
    )
    assert typed.problems() == {}


def test_a_line_of_another_invoice_is_dropped_and_a_zero_credits_nothing() -> None:
    form = form_of(
        CreditNoteEditor.of_invoice(INVOICE), **{"line-0-invoice_line_id": "elsewhere", "line-1-quantity": "0"}
    )
    typed = CreditNoteEditor.from_form(form, INVOICE)
    assert [line.invoice_line_id for line in typed.lines] == ["l2"]
    assert typed.credited_lines == []


def test_what_is_not_a_quantity_or_a_price_is_named_by_the_forms_line() -> None:
    form = form_of(
        CreditNoteEditor.of_invoice(INVOICE),
        **{"number": "CN-1", "line-1-quantity": "two", "line-1-unit_price": "-1"},
    )
    typed = CreditNoteEditor.from_form(form, INVOICE)
    assert set(typed.problems()) == {"lines.1.quantity", "lines.1.unit_price"}
    assert typed.totals() is None


def test_the_apis_line_numbers_are_those_of_the_lines_sent() -> None:
    form = form_of(CreditNoteEditor.of_invoice(INVOICE), **{"number": "CN-1", "line-1-quantity": "1"})
    typed = CreditNoteEditor.from_form(form, INVOICE)
    assert typed.form_index(0) == 1


def test_editing_a_credit_note_shows_what_it_gives_back_on_its_invoice_lines() -> None:
    note = {
        "number": "CN-1",
        "issue_date": "2026-11-25",
        "lines": [{"credited_line_id": "l2", "quantity": "2", "unit_price": "9"}],
    }
    editor = CreditNoteEditor.of_invoice(INVOICE, note)
    assert [(line.quantity, line.unit_price) for line in editor.lines] == [("", "100.00"), ("2", "9.00")]
    assert (editor.number, editor.issue_date) == ("CN-1", "2026-11-25")
