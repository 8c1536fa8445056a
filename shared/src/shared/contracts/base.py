"""Base model and field types shared by every payload."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Money and quantities travel as decimal strings ("5000.00"), never as floats.
DecimalStr = Annotated[Decimal, PlainSerializer(lambda value: str(value), return_type=str, when_used="json")]


class EventPayload(BaseModel):
    """A typed event payload; ``event_type`` names it on the wire and ``topic`` says where it goes."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str] = ""
    topic: ClassVar[str] = ""
    version: ClassVar[int] = 1

    def key(self) -> str:
        """The Kafka key that keeps one entity's events in order."""
        raise NotImplementedError


def gross_of_net_and_tax(data: dict[str, Any]) -> Decimal:
    """The default of a ``gross_total`` written before taxes existed: net + tax (then net alone)."""
    # ``net_total`` is absent only where it failed validation (the error is reported) or in a
    # ``model_construct()`` without values.
    return Decimal(data.get("net_total", 0)) + Decimal(data.get("tax_total", 0))


def balance_of_gross_and_payments(data: dict[str, Any]) -> Decimal:
    """The default of a ``balance_due`` written before it existed: gross less credits and payments."""
    return (
        Decimal(data.get("gross_total", 0))
        - Decimal(data.get("credited_total", 0))
        - Decimal(data.get("paid_total", 0))
    )


# Fields an event gained with taxes: a message written before has no tax, and its gross is its net.
TaxTotal = Annotated[DecimalStr, Field(default=Decimal(0), description="sum of the lines' taxes")]
GrossTotal = Annotated[DecimalStr, Field(default_factory=gross_of_net_and_tax, description="net_total + tax_total")]
LineTaxRate = Annotated[DecimalStr, Field(default=Decimal(0), description="percent; 0 allowed")]
LineTaxAmount = Annotated[
    DecimalStr, Field(default=Decimal(0), description="net_amount × tax_rate %, rounded half-up to the minor unit")
]
BalanceDue = Annotated[
    DecimalStr,
    Field(default_factory=balance_of_gross_and_payments, description="gross_total less credits and payments"),
]
