"""The buyer's request for proposals editor, apart from any page: a new request or a draft read
back from a posted form, checked, and turned into the API's body.

Line fields are named ``line-<n>-<field>`` as in the order and invoice editors. The due date is a
day: proposals are taken until that day ends in UTC, which is what the request says to suppliers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from web.domain.lines import posted_lines
from web.domain.numbers import plain_number

END_OF_DAY_UTC = "T23:59:59+00:00"


@dataclass(frozen=True)
class RfpLine:
    description: str = ""
    quantity: str = "1"
    unit: str = ""

    @property
    def untouched(self) -> bool:
        """Added and never filled in: saving leaves it out rather than refusing the form for it."""
        return not self.description.strip() and not self.unit.strip()

    def api_line(self) -> dict[str, Any]:
        return {
            "description": self.description.strip(),
            "quantity": self.quantity.strip(),
            "unit": self.unit.strip() or None,
        }


@dataclass
class RfpEditor:
    title: str = ""
    due_date: str = ""
    # "" asks each supplier in its own currency; a currency asks every invited supplier in it.
    currency: str = ""
    lines: list[RfpLine] = field(default_factory=list)
    supplier_ids: list[str] = field(default_factory=list)

    @classmethod
    def new(cls) -> RfpEditor:
        return cls(lines=[RfpLine()])

    @classmethod
    def from_rfp(cls, rfp: Mapping[str, Any]) -> RfpEditor:
        return cls(
            title=str(rfp.get("title") or ""),
            due_date=due_day(rfp.get("due_date")),
            currency=str(rfp.get("currency") or ""),
            lines=[
                RfpLine(
                    description=str(line.get("description") or ""),
                    quantity=plain_number(line.get("quantity")),
                    unit=str(line.get("unit") or ""),
                )
                for line in rfp.get("lines", [])
            ],
            supplier_ids=[str(s) for s in rfp.get("supplier_ids") or []],
        )

    @classmethod
    def from_form(cls, form: Mapping[str, Any], invited: Sequence[str], known_suppliers: Collection[str]) -> RfpEditor:
        """The request as typed; ``invited`` are the ticked suppliers, of which only ``known_suppliers``
        (the organisation's) are kept."""
        lines = [
            RfpLine(description=typed("description"), quantity=typed("quantity"), unit=typed("unit"))
            for typed in posted_lines(form)
        ]
        return cls(
            title=str(form.get("title") or ""),
            due_date=str(form.get("due_date") or "").strip(),
            currency=str(form.get("currency") or "").strip().upper(),
            lines=lines,
            supplier_ids=list(dict.fromkeys(s for s in invited if s in known_suppliers)),
        )

    def with_new_line(self) -> RfpEditor:
        return replace(self, lines=[*self.lines, RfpLine()])

    def without_line(self, index: int) -> RfpEditor:
        return replace(self, lines=[line for i, line in enumerate(self.lines) if i != index])

    def without_untouched_lines(self) -> RfpEditor:
        return replace(self, lines=[line for line in self.lines if not line.untouched])

    def problems(self, today: date) -> dict[str, str]:
        """What the person must fix before the API is asked, by field name as the API spells it."""
        found: dict[str, str] = {}
        if not self.title.strip():
            found["title"] = "Give the request a title."
        due = _day(self.due_date)
        if due is None:
            found["due_date"] = "Enter the day proposals are due, like 2027-03-31."
        elif due < today:
            found["due_date"] = "The due date must be today or later."
        if not self.lines:
            found["lines"] = "A request needs at least one line."
        for index, line in enumerate(self.lines):
            if not line.description.strip():
                found[f"lines.{index}.description"] = "Describe what is asked for."
            try:
                quantity = Decimal(line.quantity.strip())
            except InvalidOperation:
                found[f"lines.{index}.quantity"] = "Enter a number, like 12 or 2.5."
                continue
            if not quantity.is_finite() or quantity <= 0:
                found[f"lines.{index}.quantity"] = "The quantity must be above zero."
        if not self.supplier_ids:
            found["supplier_ids"] = "Invite at least one supplier."
        return found

    def api_body(self) -> dict[str, Any]:
        """The body of a new request, and of a draft's change (lines and suppliers replace the old)."""
        return {
            "title": self.title.strip(),
            "due_date": self.due_date + END_OF_DAY_UTC,
            "currency": self.currency or None,
            "lines": [line.api_line() for line in self.lines],
            "supplier_ids": list(self.supplier_ids),
        }


def due_day(value: Any) -> str:
    """The day of an API due date (``2027-03-31T23:59:59Z`` → ``2027-03-31``), in UTC as the API keeps it."""
    text = str(value or "")
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        return text[:10]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
