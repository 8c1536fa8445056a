"""The purchase order editor's rules, apart from any page: a new order, a draft or a sent order
being changed, read back from a posted form, checked, totalled, and turned into the API's body.

A form names its line fields ``line-<n>-<field>`` as the invoice editor does; what was typed is
kept as typed, so a refused form shows it again unchanged. A line of an order keeps its id
through an edit: the API tells the supplier what changed line by line, and invoices name
order lines by id.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shared.taxes import Totals
from web.domain.lines import PricedLine, line_totals, posted_lines, rate_problem
from web.domain.numbers import finite_decimal, plain_number, positive


@dataclass(frozen=True)
class OrderLine(PricedLine):
    description: str = ""
    sku: str = ""
    unit: str = ""
    quantity: str = "1"
    unit_price: str = ""
    tax_rate: str = "0"
    # The order line this one revises; "" for a line added in this edit.
    line_id: str = ""

    @property
    def untouched(self) -> bool:
        """Added and never filled in: saving leaves it out rather than refusing the form for it."""
        return not (self.line_id or self.description.strip() or self.sku.strip() or self.unit.strip()) and (
            not self.unit_price.strip()
        )

    def api_line(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "description": self.description.strip(),
            "quantity": self.quantity.strip(),
            "unit_price": self.unit_price.strip(),
            "tax_rate": self.tax_rate.strip() or "0",
            "sku": self.sku.strip() or None,
            "unit": self.unit.strip() or None,
        }
        if self.line_id:
            line["id"] = self.line_id
        return line


@dataclass
class OrderEditor:
    supplier_id: str = ""
    currency: str = ""
    delivery_date: str = ""
    # Several lines as typed; "" sends the goods to the buyer's address.
    delivery_address: str = ""
    lines: list[OrderLine] = field(default_factory=list)
    # Invoices are matched against goods receipts too; None: the form does not show it (a sent
    # order's change), and the API leaves it (or, on a new order, takes the organisation's).
    match_against_receipts: bool | None = None

    @classmethod
    def new(cls, supplier_id: str = "", currency: str = "", *, match_against_receipts: bool = False) -> OrderEditor:
        """An empty order with one line to fill in; ``match_against_receipts``: the organisation's default."""
        return cls(
            supplier_id=supplier_id,
            currency=currency,
            lines=[OrderLine()],
            match_against_receipts=match_against_receipts,
        )

    @classmethod
    def from_order(cls, order: Mapping[str, Any]) -> OrderEditor:
        lines = [
            OrderLine(
                description=str(line.get("description") or ""),
                sku=str(line.get("sku") or ""),
                unit=str(line.get("unit") or ""),
                quantity=plain_number(line.get("quantity")),
                unit_price=plain_number(line.get("unit_price"), 2),
                tax_rate=plain_number(line.get("tax_rate") or "0"),
                line_id=str(line.get("id") or ""),
            )
            for line in order.get("lines", [])
        ]
        return cls(
            supplier_id=str(order.get("supplier_id") or ""),
            currency=str(order.get("currency") or ""),
            delivery_date=str(order.get("delivery_date") or ""),
            delivery_address=str(order.get("delivery_address") or ""),
            lines=lines,
            match_against_receipts=bool(order.get("match_against_receipts"))
            if order.get("status") == "draft"
            else None,
        )

    @classmethod
    def from_form(cls, form: Mapping[str, Any], known_line_ids: Collection[str] = ()) -> OrderEditor:
        """The order as typed; a line id that is not one of ``known_line_ids`` (the order's) is
        dropped, so a form cannot revise another order's line."""
        lines = [
            OrderLine(
                description=typed("description"),
                sku=typed("sku"),
                unit=typed("unit"),
                quantity=typed("quantity"),
                unit_price=typed("unit_price"),
                tax_rate=typed("tax_rate"),
                line_id=typed("id") if typed("id") in known_line_ids else "",
            )
            for typed in posted_lines(form)
        ]
        return cls(
            supplier_id=str(form.get("supplier_id") or "").strip(),
            currency=str(form.get("currency") or "").strip().upper(),
            delivery_date=str(form.get("delivery_date") or "").strip(),
            delivery_address=str(form.get("delivery_address") or "").strip(),
            lines=lines,
            # A checkbox left unticked is not posted: the form says it showed one.
            match_against_receipts=bool(form.get("match_against_receipts"))
            if form.get("match_against_receipts_shown")
            else None,
        )

    def with_new_line(self) -> OrderEditor:
        return replace(self, lines=[*self.lines, OrderLine()])

    def without_line(self, index: int) -> OrderEditor:
        return replace(self, lines=[line for i, line in enumerate(self.lines) if i != index])

    def without_untouched_lines(self) -> OrderEditor:
        return replace(self, lines=[line for line in self.lines if not line.untouched])

    def totals(self) -> Totals | None:
        """Net, tax and gross totals of the lines; None while a line has no valid number yet."""
        return line_totals(self.lines, self.currency)

    def problems(self, *, had_delivery_date: bool = False) -> dict[str, str]:
        """What the person must fix before the API is asked, by field name as the API spells it.
        ``had_delivery_date``: the order being edited has one (the API changes it, never removes it)."""
        found: dict[str, str] = {}
        if not self.supplier_id:
            found["supplier_id"] = "Choose the supplier."
        if had_delivery_date and not self.delivery_date:
            found["delivery_date"] = "The delivery date can be moved, not removed."
        if not self.lines:
            found["lines"] = "An order needs at least one line."
        for index, line in enumerate(self.lines):
            if not line.description.strip():
                found[f"lines.{index}.description"] = "Describe what is ordered."
            quantity, price = finite_decimal(line.quantity.strip()), finite_decimal(line.unit_price.strip())
            if quantity is None:
                found[f"lines.{index}.quantity"] = "Enter a number, like 12 or 2.5."
            elif quantity <= 0:
                found[f"lines.{index}.quantity"] = "The quantity must be above zero."
            if price is None:
                found[f"lines.{index}.unit_price"] = "Enter a price, like 49.90."
            elif price < 0:
                found[f"lines.{index}.unit_price"] = "The price cannot be negative."
            if problem := rate_problem(line):
                found[f"lines.{index}.tax_rate"] = problem
        return found

    def create_body(self) -> dict[str, Any]:
        return {
            "supplier_id": self.supplier_id,
            "currency": self.currency,
            "delivery_date": self.delivery_date or None,
            "delivery_address": self.delivery_address or None,
            "lines": [line.api_line() for line in self.lines],
        } | ({} if self.match_against_receipts is None else {"match_against_receipts": self.match_against_receipts})

    def change_body(self, *, lines_may_change: bool = True) -> dict[str, Any]:
        """The API's PATCH: the delivery date (None leaves it), the delivery address (an empty one
        clears it; the same one changes nothing), and the lines where they may change."""
        body: dict[str, Any] = {"delivery_date": self.delivery_date or None, "delivery_address": self.delivery_address}
        if lines_may_change:
            body["lines"] = [line.api_line() for line in self.lines]
        if self.match_against_receipts is not None:
            body["match_against_receipts"] = self.match_against_receipts
        return body


def lines_may_change(order: Mapping[str, Any]) -> bool:
    """Invoices bill an order's lines by id and quantity: once any is billed, only the date moves."""
    return not any(positive(line.get("invoiced_quantity")) for line in order.get("lines", []))
