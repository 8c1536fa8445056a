"""The buyer's "Record receipt" form on an order's page, apart from any page: one quantity per
order line (prefilled with what is still to receive), the day the goods arrived and a note; read
back from a posted form, checked, and turned into the API's body.

A line left empty or at zero is not on the receipt. The API numbers a receipt's lines from 0 in
the order it is given them; the form names each field by the order line's position
(``lines.<n>.quantity``), so ``form_field`` turns the API's names back into the form's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from web.domain.numbers import finite_decimal, plain_number

ZERO = Decimal(0)
NOTE_MAX_LENGTH = 1000


def still_to_receive(line: Mapping[str, Any]) -> Decimal:
    """Ordered less received, never below zero."""
    ordered = finite_decimal(str(line.get("quantity") or "0")) or ZERO
    received = finite_decimal(str(line.get("received_quantity") or "0")) or ZERO
    return max(ordered - received, ZERO)


@dataclass
class ReceiptForm:
    received_on: str = ""
    note: str = ""
    # Per order line (by position): its id and the quantity as typed.
    line_ids: list[str] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)

    @classmethod
    def for_order(cls, order: Mapping[str, Any], today: date) -> ReceiptForm:
        lines = order.get("lines", [])
        return cls(
            received_on=today.isoformat(),
            line_ids=[str(line.get("id")) for line in lines],
            quantities=[plain_number(still_to_receive(line)) for line in lines],
        )

    @classmethod
    def from_form(cls, form: Mapping[str, Any], order: Mapping[str, Any]) -> ReceiptForm:
        """What was typed, for the order's own lines (a form names no line of another order)."""
        lines = order.get("lines", [])
        return cls(
            received_on=str(form.get("received_on") or "").strip(),
            note=str(form.get("note") or ""),
            line_ids=[str(line.get("id")) for line in lines],
            quantities=[str(form.get(f"receipt-line-{n}-quantity") or "").strip() for n in range(len(lines))],
        )

    def _received(self) -> list[tuple[int, str]]:
        """(position, quantity as typed) of the lines on the receipt: not empty, not zero."""
        return [
            (n, typed)
            for n, typed in enumerate(self.quantities)
            if typed and (finite_decimal(typed) is None or finite_decimal(typed) != 0)
        ]

    def problems(self) -> dict[str, str]:
        """What the person must fix before the API is asked, by field name as the form names it."""
        found: dict[str, str] = {}
        if not self.received_on:
            found["received_on"] = "Enter the day the goods arrived."
        for n, typed in enumerate(self.quantities):
            number = finite_decimal(typed) if typed else ZERO
            if number is None:
                found[f"lines.{n}.quantity"] = "Enter a number, like 12 or 2.5."
            elif number < 0:
                found[f"lines.{n}.quantity"] = "The quantity cannot be negative."
        if not found and not self._received():
            found["lines"] = "Enter what arrived of at least one line."
        if len(self.note) > NOTE_MAX_LENGTH:
            found["note"] = f"A note has at most {NOTE_MAX_LENGTH} characters."
        return found

    def api_body(self) -> dict[str, Any]:
        return {
            "received_on": self.received_on,
            "note": self.note.strip() or None,
            "lines": [{"purchase_order_line_id": self.line_ids[n], "quantity": typed} for n, typed in self._received()],
        }

    def form_field(self, api_field: str) -> str:
        """The form's name of a field the API names (``lines.<i>.quantity`` of the receipt's i-th line)."""
        parts = api_field.split(".")
        if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdigit():
            received = self._received()
            index = int(parts[1])
            if index < len(received):
                return f"lines.{received[index][0]}.quantity"
        return api_field
