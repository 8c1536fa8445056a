"""The credit note editor's rules, apart from any page: the lines of the credited invoice, how much
of each the supplier gives back and at what price, read back from a posted form, checked,
totalled, and turned into the API's body.

Every line of the invoice is on the form; a line left empty (or at 0) is not credited. The tax
rate is the invoice line's: it is shown, not typed. Whether the credit stays within the invoice is
matching's to judge (a credit beyond it waits for the buyer), so the editor does not refuse it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shared.taxes import Totals
from web.domain.lines import PricedLine, line_totals, posted_lines
from web.domain.numbers import finite_decimal, plain_number


@dataclass(frozen=True)
class CreditLine(PricedLine):
    invoice_line_id: str
    description: str
    # What is given back, as typed ("" or 0: nothing of this line).
    quantity: str
    unit_price: str
    # The invoice line's, for reference beside the fields.
    tax_rate: str = "0"
    invoiced_quantity: str = ""
    invoiced_unit_price: str = ""

    @property
    def credited(self) -> bool:
        """Something of this line is given back (what is not a number counts: it is to be fixed)."""
        typed = self.quantity.strip()
        return bool(typed) and finite_decimal(typed) != 0


@dataclass
class CreditNoteEditor:
    currency: str
    invoice_number: str
    lines: list[CreditLine] = field(default_factory=list)
    number: str = ""
    issue_date: str = ""

    @classmethod
    def of_invoice(cls, invoice: Mapping[str, Any], credit_note: Mapping[str, Any] | None = None) -> CreditNoteEditor:
        """The invoice's lines, with what ``credit_note`` (a draft or rejected one) already gives back."""
        given = {str(line.get("credited_line_id")): line for line in (credit_note or {}).get("lines", [])}
        lines = []
        for line in invoice.get("lines", []):
            credited = given.get(str(line["id"]))
            lines.append(
                CreditLine(
                    invoice_line_id=str(line["id"]),
                    description=str(line.get("description") or ""),
                    quantity=plain_number(credited.get("quantity")) if credited else "",
                    unit_price=plain_number((credited or line).get("unit_price"), 2),
                    tax_rate=plain_number(line.get("tax_rate") or "0"),
                    invoiced_quantity=plain_number(line.get("quantity")),
                    invoiced_unit_price=plain_number(line.get("unit_price"), 2),
                )
            )
        return cls(
            currency=str(invoice.get("currency") or "EUR"),
            invoice_number=str(invoice.get("number") or ""),
            lines=lines,
            number=str((credit_note or {}).get("number") or ""),
            issue_date=str((credit_note or {}).get("issue_date") or ""),
        )

    @classmethod
    def from_form(cls, form: Mapping[str, Any], invoice: Mapping[str, Any]) -> CreditNoteEditor:
        """What was typed, on the invoice's lines (a line id that is not the invoice's is dropped)."""
        reference = {line.invoice_line_id: line for line in cls.of_invoice(invoice).lines}
        lines = []
        for typed in posted_lines(form):
            known = reference.get(typed("invoice_line_id"))
            if known is not None:
                lines.append(replace(known, quantity=typed("quantity"), unit_price=typed("unit_price")))
        return cls(
            currency=str(invoice.get("currency") or "EUR"),
            invoice_number=str(invoice.get("number") or ""),
            lines=lines,
            number=str(form.get("number") or ""),
            issue_date=str(form.get("issue_date") or ""),
        )

    @property
    def credited_lines(self) -> list[CreditLine]:
        return [line for line in self.lines if line.credited]

    def totals(self) -> Totals | None:
        """Net, tax and gross of what is given back; None while a credited line has no valid number."""
        return line_totals(self.credited_lines, self.currency)

    def problems(self) -> dict[str, str]:
        """What the person must fix before the API is asked, by field name as the API spells it."""
        found: dict[str, str] = {}
        if not self.number.strip():
            found["number"] = "Enter the credit note's number."
        if not self.credited_lines:
            found["lines"] = "Enter how much of at least one line you give back."
        for index, line in enumerate(self.lines):
            if not line.credited:
                continue
            quantity, price = finite_decimal(line.quantity.strip()), finite_decimal(line.unit_price.strip())
            if quantity is None or quantity <= 0:
                found[f"lines.{index}.quantity"] = "Enter a quantity above zero, like 2 or 0.5."
            if price is None or price < 0:
                found[f"lines.{index}.unit_price"] = "Enter a price, like 49.90."
        return found

    def api_body(self) -> dict[str, Any]:
        """The API's body: a new credit note takes ``kind`` and ``credited_invoice_id`` beside it."""
        return {
            "number": self.number.strip(),
            "issue_date": self.issue_date or None,
            "lines": [
                {
                    "invoice_line_id": line.invoice_line_id,
                    "quantity": line.quantity.strip(),
                    "unit_price": line.unit_price.strip(),
                }
                for line in self.credited_lines
            ],
        }

    def form_index(self, credited_index: int) -> int:
        """The form's line of the ``credited_index``-th line the API was sent (it is sent only those)."""
        credited = [index for index, line in enumerate(self.lines) if line.credited]
        return credited[credited_index] if 0 <= credited_index < len(credited) else credited_index
