"""The XLSX export: a header block, the lines as numeric cells, the totals and the tax per rate."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook, load_workbook

from orders.adapters.xlsx import LINE_HEADERS, SUMMARY_HEADERS, as_text, render_purchase_order_xlsx
from tests.orders.unit.builders import NOW, draft, line


def test_the_workbook_has_the_header_block_the_lines_and_the_total() -> None:
    order = draft(line("10", "5.00", "Bolts M8"), line("5", "0.335", "Nuts M8"))
    order.lines[0].sku, order.lines[0].unit = "B-8", "pcs"
    order.buyer_name = "Buyer Corp"
    order.submit(NOW)
    sheet = load_workbook(BytesIO(render_purchase_order_xlsx(order.snapshot()))).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    header = {row[0]: row[1] for row in rows[:6]}
    assert header["Purchase order"] == "PO-000001"
    assert header["Buyer"] == "Buyer Corp"
    assert header["Supplier"] == "Acme Tools"
    assert header["Currency"] == "EUR"
    assert isinstance(header["Delivery date"], datetime)
    assert header["Delivery date"].date() == date(2026, 6, 1)
    assert header["Status"] == "sent"

    start = rows.index(list(LINE_HEADERS))
    first, second, total = rows[start + 1], rows[start + 2], rows[start + 3]
    assert first == [1, "B-8", "Bolts M8", 10, "pcs", 5, 50, 0, 0]
    assert second[:3] == [2, None, "Nuts M8"]
    assert Decimal(str(second[5])) == Decimal("0.335")
    assert Decimal(str(second[6])) == Decimal("1.68")
    assert all(isinstance(value, int | float) for value in (*first[3:4], *first[5:], *second[5:]))
    assert total[5] == "Net total (EUR)"
    assert Decimal(str(total[6])) == Decimal("51.68")


def test_the_workbook_gives_each_lines_tax_the_totals_and_the_tax_per_rate() -> None:
    order = draft(
        line("3", "3.35", "Bolts", tax_rate="20"),
        line("1", "10.00", "Manual", tax_rate="0"),
        line("2", "1.00", "Nuts", tax_rate="20.00"),
    )
    order.submit(NOW)
    sheet = load_workbook(BytesIO(render_purchase_order_xlsx(order.snapshot()))).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]

    start = rows.index(list(LINE_HEADERS))
    assert [(row[7], Decimal(str(row[8]))) for row in rows[start + 1 : start + 4]] == [
        (20, Decimal("2.01")),
        (0, Decimal("0")),
        (20, Decimal("0.40")),
    ]
    totals = {row[5]: Decimal(str(row[6])) for row in rows[start + 4 : start + 7]}
    assert totals == {
        "Net total (EUR)": Decimal("22.05"),
        "Tax (EUR)": Decimal("2.41"),
        "Gross total (EUR)": Decimal("24.46"),
    }
    summary = [row[:4] for row in rows].index(list(SUMMARY_HEADERS))
    bands = [[Decimal(str(value)) for value in row[:4]] for row in rows[summary + 1 :]]
    assert bands == [
        [Decimal(20), Decimal("12.05"), Decimal("2.41"), Decimal("14.46")],
        [Decimal(0), Decimal("10.00"), Decimal("0.00"), Decimal("10.00")],
    ]


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    """A description or a name starting like a formula stays words: a text cell, no formula in
    the sheet's XML, marked to stay text when edited."""
    formulas = ['=HYPERLINK("https://evil.example","Invoice")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]
    order = draft(*(line("1", "1.00", text) for text in formulas))
    order.lines[0].sku, order.lines[0].unit = "=1+1", "@pcs"
    order.buyer_name = "=cmd|' /C calc'!A0"
    order.submit(NOW)
    snapshot = order.snapshot().model_copy(update={"supplier_name": '=HYPERLINK("https://evil.example")'})
    data = render_purchase_order_xlsx(snapshot)

    with zipfile.ZipFile(BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(BytesIO(data)).active
    assert sheet is not None
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    written = {cell.value for cell in texts}
    assert set(formulas) | {"=1+1", "@pcs", "=cmd|' /C calc'!A0", '=HYPERLINK("https://evil.example")'} <= written
    risky = [cell for cell in texts if cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert risky and all(cell.data_type == "s" and cell.quotePrefix for cell in risky)


def test_a_cell_starting_with_a_carriage_return_is_text_too() -> None:
    sheet = Workbook().active
    assert sheet is not None
    sheet.append(["\r=1+1", "plain", "=2"])
    as_text(sheet)
    assert [(cell.data_type, bool(cell.quotePrefix)) for cell in sheet[1]] == [("s", True), ("s", False), ("s", True)]
