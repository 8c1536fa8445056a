"""Base model and field types shared by every payload."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, PlainSerializer

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
