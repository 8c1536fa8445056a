"""Revising the lines of an order, and what changed, told field by field to the supplier.

A revision keeps the identity of the lines it revises: invoices (even drafts) name PO lines by
id, so a line whose quantity changes must stay the same line. An input that names a line id
revises that line; when no input names one, input 1 revises line 1 and so on, and the rest are
new lines. Current lines that nothing revises are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from orders.domain.errors import InvalidPurchaseOrder
from orders.domain.lines import LineInput, PurchaseOrderLine, price_lines
from shared.contracts.orders import FieldChange

# The fields of a line the buyer writes, compared one by one.
LINE_FIELDS = ("sku", "description", "unit", "quantity", "unit_price", "tax_rate")


def revised_lines(
    current: Sequence[PurchaseOrderLine], inputs: Sequence[LineInput], currency: str
) -> list[PurchaseOrderLine]:
    """The new lines, priced and numbered, each keeping the id of the current line it revises."""
    lines = price_lines(inputs, currency)
    if not any(spec.line_id for spec in inputs):
        for line, previous in zip(lines, current, strict=False):
            line.id = previous.id
        return lines
    known = {line.id for line in current}
    taken: set[object] = set()
    for index, (spec, line) in enumerate(zip(inputs, lines, strict=True)):
        if spec.line_id is None:
            continue
        if spec.line_id not in known or spec.line_id in taken:
            message = "not a line of this order" if spec.line_id not in known else "line named twice"
            raise InvalidPurchaseOrder(
                f"line {index + 1}: {message}", errors=[{"field": f"lines.{index}.id", "message": message}]
            )
        taken.add(spec.line_id)
        line.id = spec.line_id
    return lines


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def describe(line: PurchaseOrderLine) -> str:
    """One line in a sentence, for an added or removed line: "10 pcs Bolts M8 at 5.00"."""
    unit = f" {line.unit}" if line.unit else ""
    return f"{_text(line.quantity)}{unit} {line.description} at {_text(line.unit_price)}"


def field_change(field: str, before: object, after: object) -> FieldChange:
    return FieldChange(field=field, before=_text(before), after=_text(after))


def line_changes(before: Sequence[PurchaseOrderLine], after: Sequence[PurchaseOrderLine]) -> list[FieldChange]:
    """Per line: each changed field ("line 2 quantity"), added lines and removed lines."""
    previous = {line.id: line for line in before}
    changes = []
    for line in after:
        old = previous.pop(line.id, None)
        if old is None:
            changes.append(field_change(f"line {line.line_no}", None, describe(line)))
            continue
        if old.line_no != line.line_no:
            changes.append(field_change(f"line {line.line_no} position", old.line_no, line.line_no))
        for name in LINE_FIELDS:
            # Decimals compare by value: "10" and "10.00" are the same quantity.
            if getattr(old, name) != getattr(line, name):
                changes.append(field_change(f"line {line.line_no} {name}", getattr(old, name), getattr(line, name)))
    for old in sorted(previous.values(), key=lambda x: x.line_no):
        changes.append(field_change(f"line {old.line_no}", describe(old), None))
    return changes
