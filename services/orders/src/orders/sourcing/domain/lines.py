"""Lines of a request for proposals: what is asked for and how much, numbered from 1."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID, uuid4

from orders.sourcing.domain.errors import InvalidRfp
from shared.contracts.rfps import RfpLineState


@dataclass(frozen=True)
class RfpLineInput:
    description: str
    quantity: Decimal
    unit: str | None = None


@dataclass(frozen=True)
class RfpLine:
    id: UUID
    line_no: int
    description: str
    quantity: Decimal
    unit: str | None = None

    def state(self) -> RfpLineState:
        return RfpLineState(
            rfp_line_id=self.id,
            line_no=self.line_no,
            description=self.description,
            quantity=self.quantity,
            unit=self.unit,
        )


def invalid_rfp(field_name: str, message: str) -> InvalidRfp:
    return InvalidRfp(f"{field_name}: {message}", errors=[{"field": field_name, "message": message}])


def number_lines(inputs: Sequence[RfpLineInput]) -> list[RfpLine]:
    if not inputs:
        raise invalid_rfp("lines", "an RFP needs at least one line")
    lines = []
    for index, spec in enumerate(inputs):
        if not spec.quantity.is_finite() or spec.quantity <= 0:
            raise invalid_rfp(f"lines.{index}.quantity", "quantity must be greater than 0")
        if not spec.description.strip():
            raise invalid_rfp(f"lines.{index}.description", "a line needs a description")
        lines.append(RfpLine(uuid4(), index + 1, spec.description, spec.quantity, spec.unit))
    return lines
