"""The purchase order as an XLSX workbook, from the same snapshot as the PDF and the events.

One sheet: a header block (number, buyer, supplier, currency, delivery date, status), the
lines as a table with their tax rates and taxes, the net, tax and gross totals, and the tax per
rate. Quantities, rates and amounts are numeric cells, so the buyer can compute with them; the
delivery date is a date cell. Text people wrote (descriptions, names, SKUs, units) is always a
text cell, never a formula, whatever it starts with (``=HYPERLINK(...)`` stays words on the sheet).
"""

from __future__ import annotations

import asyncio
from io import BytesIO
from typing import TYPE_CHECKING

from shared.contracts.orders import PurchaseOrderSnapshot
from shared.money import minor_unit
from shared.taxes import tax_summary

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

LINE_HEADERS = ("#", "SKU", "Description", "Quantity", "Unit", "Unit price", "Net", "Tax rate (%)", "Tax")
SUMMARY_HEADERS = ("Tax rate (%)", "Net", "Tax", "Gross")
# What a spreadsheet reads as the start of a formula (or of one after a tab or a line break).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(sheet: Worksheet) -> None:
    """Every string cell that a spreadsheet would take for a formula becomes a text cell, marked
    to stay text when someone edits it (Excel's quote prefix)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True


def _money_format(currency: str) -> str:
    decimals = minor_unit(currency)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def render_purchase_order_xlsx(po: PurchaseOrderSnapshot) -> bytes:
    # Imported at the first workbook: openpyxl (numpy with it) is 0.2 s of the service's start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = po.number
    bold = Font(bold=True)
    money = _money_format(po.currency)

    sheet.append(["Purchase order", po.number])
    sheet.append(["Buyer", po.buyer_name or ""])
    sheet.append(["Supplier", po.supplier_name])
    sheet.append(["Currency", po.currency])
    sheet.append(["Delivery date", po.delivery_date])
    sheet.append(["Status", po.status.replace("_", " ")])
    for row in sheet.iter_rows(min_row=1, max_row=6, max_col=1):
        row[0].font = bold
    if po.delivery_date is not None:
        sheet.cell(row=5, column=2).number_format = "yyyy-mm-dd"

    sheet.append([])
    sheet.append(list(LINE_HEADERS))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for line in po.lines:
        sheet.append(
            [
                line.line_no,
                line.sku,
                line.description,
                line.quantity,
                line.unit,
                line.unit_price,
                line.net_amount,
                line.tax_rate,
                line.tax_amount,
            ]
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = money
        sheet.cell(row=sheet.max_row, column=9).number_format = money
    for label, amount in (("Net total", po.net_total), ("Tax", po.tax_total), ("Gross total", po.gross_total)):
        sheet.append([None, None, None, None, None, f"{label} ({po.currency})", amount])
        total = sheet.max_row
        sheet.cell(row=total, column=6).font = bold
        sheet.cell(row=total, column=7).font = bold
        sheet.cell(row=total, column=7).number_format = money

    sheet.append([])
    sheet.append(list(SUMMARY_HEADERS))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for band in tax_summary(po.lines, po.currency):
        sheet.append([band.tax_rate, band.net_amount, band.tax_amount, band.gross_amount])
        for amount_column in (2, 3, 4):
            sheet.cell(row=sheet.max_row, column=amount_column).number_format = money

    as_text(sheet)
    for letter, width in zip("ABCDEFGHI", (16, 14, 40, 12, 8, 18, 14, 12, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


async def purchase_order_xlsx(snapshot: PurchaseOrderSnapshot) -> bytes:
    # Building the workbook is CPU work; a thread keeps the event loop answering meanwhile.
    return await asyncio.to_thread(render_purchase_order_xlsx, snapshot)
