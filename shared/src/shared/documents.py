"""A printable document as a PDF page: a title, labelled details, a table of lines, the tax per
rate and the totals.

The services that print (orders its purchase order, invoicing its invoice) say what goes where;
this module only draws a document of that shape, so that every document the portal prints looks
alike and no service carries its own drawing code. fpdf2 is pure Python.

A detail that is not known shows as "-", never as an empty gap (nor, for a party, as its id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from shared.taxes import TaxBand, rate_text

if TYPE_CHECKING:
    from fpdf import FPDF

MISSING = "-"
_LABEL_WIDTH_MM = 35


@dataclass(frozen=True)
class Party:
    """A business as its documents name it: the legal name where it has one, else its name."""

    name: str | None
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    contact: str | None = None

    def details(self, role: str) -> tuple[tuple[str, str | None], ...]:
        """The party's lines of a document's details, under ``role`` ("Supplier", "Buyer")."""
        rows: tuple[tuple[str, str | None], ...] = (
            (role, self.legal_name or self.name),
            ("Address", self.address),
            ("Tax ID", self.tax_id),
        )
        return rows + ((("Contact", self.contact),) if self.contact else ())


def payment_terms_text(days: int | None) -> str | None:
    """How documents state the payment terms: "30 days net", or "Due on receipt" for none."""
    if days is None:
        return None
    return "Due on receipt" if days == 0 else f"{days} day{'s' if days != 1 else ''} net"


@dataclass(frozen=True)
class Column:
    """A column of the table: its header, its width on an A4 page in millimetres, its alignment."""

    header: str
    width_mm: float
    align_right: bool = False  # numbers line up on the right


@dataclass(frozen=True)
class PrintedDocument:
    """What a document shows, in reading order; ``None`` or an empty detail shows as "-"."""

    title: str
    details: Sequence[tuple[str, str | None]]
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    totals: Sequence[tuple[str, Decimal]]
    # The tax summary: one row per rate, net and tax of the lines taxed at it.
    tax_summary: Sequence[TaxBand] = ()

    def __post_init__(self) -> None:
        if len(self.columns) < 2:
            raise ValueError("a printed document needs at least two columns: totals line up with the last")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"row {number} has {len(row)} cells for {len(self.columns)} columns")


def amount_text(value: Decimal) -> str:
    """An amount with thousands separators: two decimals, or more when it has more (a unit price)."""
    return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"


def _latin1(value: str) -> str:
    # The built-in PDF fonts cover Latin-1; anything else is replaced rather than failing.
    return value.encode("latin-1", "replace").decode("latin-1")


def render_pdf(document: PrintedDocument) -> bytes:
    """The document as an A4 PDF; long tables continue on further pages."""
    # Imported at the first document: fpdf brings numpy, Pillow and fontTools, 0.4 s of each
    # printing service's start that most of its processes never use.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_latin1(document.title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin1(document.title), new_x="LMARGIN", new_y="NEXT")
    for label, value in document.details:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(_LABEL_WIDTH_MM, 6, _latin1(label))
        pdf.set_font("Helvetica", size=10)
        # A value of several lines (an address) continues under itself, beside its label; left
        # aligned, as a wrapped address justified to the margin reads with gaps between its words.
        pdf.multi_cell(0, 6, _latin1(value or MISSING), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 9)
    for column in document.columns:
        pdf.cell(column.width_mm, 7, _latin1(column.header), border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for row in document.rows:
        for column, cell in zip(document.columns, row, strict=True):
            pdf.cell(column.width_mm, 6, _latin1(cell), border=1, align="R" if column.align_right else "L")
        pdf.ln()
    label_width = sum(column.width_mm for column in document.columns[:-1])
    amount_width = document.columns[-1].width_mm
    if document.tax_summary:
        _tax_summary(pdf, document.tax_summary, right_edge=label_width + amount_width)
    pdf.set_font("Helvetica", "B", 10)
    for label, amount in document.totals:
        pdf.cell(label_width, 8, _latin1(label), border=1, align="R")
        pdf.cell(amount_width, 8, _latin1(amount_text(amount)), border=1, align="R")
        pdf.ln()
    return bytes(pdf.output())


_SUMMARY_COLUMNS = (("Tax rate", 25.0), ("Net", 35.0), ("Tax", 35.0), ("Gross", 35.0))


def _tax_summary(pdf: FPDF, bands: Sequence[TaxBand], *, right_edge: float) -> None:
    """The tax per rate as a small table flush with the totals' right edge, above them."""
    left = pdf.l_margin + right_edge - sum(width for _, width in _SUMMARY_COLUMNS)
    pdf.ln(3)
    pdf.set_x(left)
    pdf.set_font("Helvetica", "B", 9)
    for header, width in _SUMMARY_COLUMNS:
        pdf.cell(width, 6, header, border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for band in bands:
        pdf.set_x(left)
        cells = (rate_text(band.tax_rate), *map(amount_text, (band.net_amount, band.tax_amount, band.gross_amount)))
        for (_, width), cell in zip(_SUMMARY_COLUMNS, cells, strict=True):
            pdf.cell(width, 6, _latin1(cell), border=1, align="R")
        pdf.ln()
    pdf.ln(3)
