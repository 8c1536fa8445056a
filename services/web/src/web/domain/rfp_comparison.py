"""The buyer's side-by-side view of the answers to a request for proposals, apart from any page.

One row per requested line, one column per invited supplier (in invitation order). A cell is a
unit price, "Declined" or "No answer". The lowest price of a line is marked, in words as well as
colour; prices are only compared within one currency (a request without a currency of its own
gets each supplier's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from web.domain.numbers import finite_decimal

# Proposal statuses that answer the request with prices the buyer can weigh.
PRICED_STATUSES = frozenset({"submitted", "awarded", "lost"})


@dataclass(frozen=True)
class Cell:
    unit_price: str | None = None
    line_total: str | None = None
    currency: str = ""
    # "price", "declined" or "no_answer"
    kind: str = "no_answer"
    best: bool = False
    # The only price offered for the line: best by default, which the page says differently.
    only_offer: bool = False

    @property
    def words(self) -> str:
        return {"declined": "Declined", "no_answer": "No answer"}.get(self.kind, "")


@dataclass(frozen=True)
class Column:
    supplier_id: str
    supplier_name: str
    proposal: Mapping[str, Any] | None
    priced_lines: int

    @property
    def proposal_id(self) -> str:
        return str(self.proposal["proposal_id"]) if self.proposal else ""

    @property
    def status(self) -> str:
        return str(self.proposal["status"]) if self.proposal else ""


@dataclass(frozen=True)
class Row:
    line_no: int
    description: str
    quantity: str
    unit: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Comparison:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def answered(self) -> int:
        return sum(1 for column in self.columns if column.proposal)

    @property
    def currencies(self) -> list[str]:
        return sorted({str(c.proposal["currency"]) for c in self.columns if c.proposal})


def compare(rfp: Mapping[str, Any], answers: Mapping[str, Any], supplier_names: Mapping[str, str]) -> Comparison:
    """``answers``: the API's ``GET /rfps/{id}/proposals``; ``supplier_names`` by supplier id."""
    proposals = {str(p["supplier_id"]): p for p in answers.get("proposals", [])}
    invited = [str(s) for s in rfp.get("supplier_ids") or []]
    order = invited + [s for s in proposals if s not in invited]
    offers = {
        (str(line["rfp_line_id"]), str(offer["proposal_id"])): offer
        for line in answers.get("lines", [])
        for offer in line.get("offers", [])
    }
    rows = []
    for line in rfp.get("lines", []):
        cells = [_cell(proposals.get(s), offers, str(line["id"])) for s in order]
        rows.append(
            Row(
                line_no=int(line.get("line_no") or 0),
                description=str(line.get("description") or ""),
                quantity=str(line.get("quantity") or ""),
                unit=str(line.get("unit") or ""),
                cells=_mark_best(cells),
            )
        )
    columns = tuple(
        Column(
            supplier_id=s,
            supplier_name=supplier_names.get(s) or "Unknown supplier",
            proposal=proposals.get(s),
            priced_lines=sum(1 for row in rows if row.cells[index].kind == "price"),
        )
        for index, s in enumerate(order)
    )
    return Comparison(columns=columns, rows=tuple(rows))


def _cell(proposal: Mapping[str, Any] | None, offers: Mapping[tuple[str, str], Any], line_id: str) -> Cell:
    if proposal is None:
        return Cell()
    currency = str(proposal.get("currency") or "")
    offer: Mapping[str, Any] = offers.get((line_id, str(proposal["proposal_id"]))) or {}
    price = offer.get("unit_price")
    if proposal.get("status") not in PRICED_STATUSES or price is None:
        return Cell(currency=currency, kind="declined")
    total = offer.get("line_total")
    return Cell(str(price), None if total is None else str(total), currency, kind="price")


def _mark_best(cells: list[Cell]) -> tuple[Cell, ...]:
    """The lowest price per currency is the best; ties are all best."""
    lowest: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for cell in cells:
        price = finite_decimal(cell.unit_price)
        if cell.kind == "price" and price is not None:
            counts[cell.currency] = counts.get(cell.currency, 0) + 1
            lowest[cell.currency] = min(price, lowest.get(cell.currency, price))
    marked = []
    for cell in cells:
        price = finite_decimal(cell.unit_price)
        if cell.kind == "price" and price is not None and price == lowest[cell.currency]:
            only = counts[cell.currency] == 1
            cell = Cell(cell.unit_price, cell.line_total, cell.currency, cell.kind, best=not only, only_offer=only)
        marked.append(cell)
    return tuple(marked)
