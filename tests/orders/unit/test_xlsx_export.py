"""The XLSX export: a header block, the lines as numeric cells, and the net total."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from orders.adapters.xlsx import LINE_HEADERS, render_purchase_order_xlsx
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
    assert first == [1, "B-8", "Bolts M8", 10, "pcs", 5, 50]
    assert second[:3] == [2, None, "Nuts M8"]
    assert Decimal(str(second[5])) == Decimal("0.335")
    assert Decimal(str(second[6])) == Decimal("1.68")
    assert all(isinstance(value, int | float) for value in (*first[3:4], *first[5:], *second[5:]))
    assert total[5] == "Net total (EUR)"
    assert Decimal(str(total[6])) == Decimal("51.68")
