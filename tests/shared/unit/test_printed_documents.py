"""The printed document: details, a table and totals on an A4 page, whatever the service prints."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from shared.documents import Column, PrintedDocument, amount_text, render_pdf

COLUMNS = (Column("Item", 150), Column("Amount", 40, align_right=True))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_title_details_rows_and_totals_are_printed_and_an_unknown_detail_shows_a_dash() -> None:
    document = PrintedDocument(
        title="Statement S-1",
        details=(("Customer", "Globex"), ("Reference", None), ("Note", "")),
        columns=COLUMNS,
        rows=(("First", "1,000.00"), ("Second", "0.125")),
        totals=(("Total", Decimal("1000.125")),),
    )
    text = text_of(render_pdf(document))
    for expected in ("Statement S-1", "Customer Globex", "Reference -", "Note -", "Item", "Amount", "First", "0.125"):
        assert expected in text, expected
    assert "Total 1,000.125" in text


def test_characters_outside_latin_1_are_replaced_rather_than_failing_the_render() -> None:
    document = PrintedDocument(
        title="Ordre Ω", details=(("Client", "Åsa Ørsted"),), columns=COLUMNS, rows=(("Zürich ✓", "1.00"),), totals=()
    )
    text = text_of(render_pdf(document))
    assert "Ordre ?" in text and "Åsa Ørsted" in text and "Zürich ?" in text


def test_a_row_with_more_or_fewer_cells_than_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 cells for 2 columns"):
        PrintedDocument(title="T", details=(), columns=COLUMNS, rows=(("a", "1"), ("b",)), totals=())
    with pytest.raises(ValueError, match="at least two columns"):
        PrintedDocument(title="T", details=(), columns=COLUMNS[:1], rows=(), totals=())


@pytest.mark.parametrize(
    ("amount", "text"),
    [("1022.5", "1,022.50"), ("0", "0.00"), ("0.125", "0.125"), ("-3.1", "-3.10"), ("1234567.891", "1,234,567.891")],
)
def test_amounts_show_two_decimals_or_every_decimal_they_have(amount: str, text: str) -> None:
    assert amount_text(Decimal(amount)) == text
