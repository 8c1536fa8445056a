"""The invoice editor's rules, apart from any page: lines prefilled from an order, read back
from a posted form, checked, totalled, and turned into the API's body.

A form names its fields ``line-<n>-<field>``; the editor keeps what was typed as typed, so a
refused form shows it again unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.taxes import Totals
from web.domain.lines import PricedLine, line_totals, posted_lines, rate_problem
from web.domain.numbers import plain_number, positive


@dataclass(frozen=True)
class EditorLine(PricedLine):
    description: str
    quantity: str
    unit_price: str
    tax_rate: str = "0"
    # The order line it bills, or "" for a new item (the buyer must approve those).
    purchase_order_line_id: str = ""
    # What the order says of that line, for reference beside the fields.
    ordered_quantity: str = ""
    remaining_quantity: str = ""
    ordered_unit_price: str = ""

    @property
    def new_item(self) -> bool:
        return not self.purchase_order_line_id


@dataclass
class Editor:
    currency: str
    lines: list[EditorLine] = field(default_factory=list)
    number: str = ""
    issue_date: str = ""

    @classmethod
    def from_order(cls, order: Mapping[str, Any]) -> Editor:
        """What remains to invoice of each order line, at the order's prices."""
        lines = [
            _order_reference(
                EditorLine(
                    description=str(line.get("description") or ""),
                    quantity=plain_number(line.get("remaining_quantity")),
                    unit_price=plain_number(line.get("unit_price"), 2),
                    tax_rate=plain_number(line.get("tax_rate") or "0"),
                    purchase_order_line_id=str(line["id"]),
                ),
                line,
            )
            for line in order.get("lines", [])
            if positive(line.get("remaining_quantity"))
        ]
        return cls(currency=str(order.get("currency") or "EUR"), lines=lines)

    @classmethod
    def from_invoice(cls, invoice: Mapping[str, Any], order: Mapping[str, Any] | None) -> Editor:
        by_id = {str(line["id"]): line for line in (order or {}).get("lines", [])}
        lines = []
        for line in invoice.get("lines", []):
            po_line = str(line.get("purchase_order_line_id") or "")
            edited = EditorLine(
                description=str(line.get("description") or ""),
                quantity=plain_number(line.get("quantity")),
                unit_price=plain_number(line.get("unit_price"), 2),
                tax_rate=plain_number(line.get("tax_rate") or "0"),
                purchase_order_line_id=po_line,
            )
            lines.append(_order_reference(edited, by_id[po_line]) if po_line in by_id else edited)
        return cls(
            currency=str(invoice.get("currency") or "EUR"),
            lines=lines,
            number=str(invoice.get("number") or ""),
            issue_date=str(invoice.get("issue_date") or ""),
        )

    @classmethod
    def from_form(cls, form: Mapping[str, Any], currency: str, order: Mapping[str, Any] | None = None) -> Editor:
        by_id = {str(line["id"]): line for line in (order or {}).get("lines", [])}
        lines = []
        for typed in posted_lines(form):
            po_line = typed("purchase_order_line_id")
            line = EditorLine(
                description=typed("description"),
                quantity=typed("quantity"),
                unit_price=typed("unit_price"),
                tax_rate=typed("tax_rate"),
                purchase_order_line_id=po_line if po_line in by_id or not by_id else "",
            )
            if po_line in by_id:
                line = _order_reference(line, by_id[po_line])
            lines.append(line)
        return cls(
            currency=currency,
            lines=lines,
            number=str(form.get("number") or ""),
            issue_date=str(form.get("issue_date") or ""),
        )

    def with_new_item(self) -> Editor:
        return replace(self, lines=[*self.lines, EditorLine(description="", quantity="1", unit_price="")])

    def without_line(self, index: int) -> Editor:
        return replace(self, lines=[line for i, line in enumerate(self.lines) if i != index])

    def totals(self) -> Totals | None:
        """Net, tax and gross totals of the lines; None while a line has no valid number yet."""
        return line_totals(self.lines, self.currency)

    def problems(self, *, issue_date_required: bool) -> dict[str, str]:
        """What the person must fix before the API is asked, by field name as the API spells it."""
        found: dict[str, str] = {}
        if not self.number.strip():
            found["number"] = "Enter the invoice number."
        if issue_date_required and not self.issue_date:
            found["issue_date"] = "This buyer requires the issue date."
        if not self.lines:
            found["lines"] = "An invoice needs at least one line."
        for index, line in enumerate(self.lines):
            amounts = line.amounts()
            if line.new_item and not line.description.strip():
                found[f"lines.{index}.description"] = "Describe the new item."
            if problem := rate_problem(line):
                found[f"lines.{index}.tax_rate"] = problem
            if amounts is None:
                try:
                    Decimal(line.quantity.strip())
                except InvalidOperation:
                    found[f"lines.{index}.quantity"] = "Enter a number, like 12 or 2.5."
                try:
                    Decimal(line.unit_price.strip())
                except InvalidOperation:
                    found[f"lines.{index}.unit_price"] = "Enter a price, like 49.90."
                continue
            if amounts[0] <= 0:
                found[f"lines.{index}.quantity"] = "The quantity must be above zero."
            if amounts[1] < 0:
                found[f"lines.{index}.unit_price"] = "The price cannot be negative."
        return found

    def api_body(self) -> dict[str, Any]:
        return {
            "number": self.number.strip(),
            "issue_date": self.issue_date or None,
            "lines": [
                {
                    "purchase_order_line_id": line.purchase_order_line_id or None,
                    "description": line.description.strip(),
                    "quantity": line.quantity.strip(),
                    "unit_price": line.unit_price.strip(),
                    "tax_rate": line.tax_rate.strip() or "0",
                }
                for line in self.lines
            ],
        }


def _order_reference(line: EditorLine, po_line: Mapping[str, Any]) -> EditorLine:
    return replace(
        line,
        description=line.description or str(po_line.get("description") or ""),
        ordered_quantity=plain_number(po_line.get("quantity")),
        remaining_quantity=plain_number(po_line.get("remaining_quantity")),
        ordered_unit_price=plain_number(po_line.get("unit_price"), 2),
    )
