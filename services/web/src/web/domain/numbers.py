"""Numbers as the forms take them from people and show them back: a decimal typed (a number, never
infinity or NaN), and a stored decimal as a person would type it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def finite_decimal(text: str | None) -> Decimal | None:
    """The number ``text`` spells, or None when it spells none (or infinity, or NaN)."""
    if text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def plain_number(value: Any, places: int = 0) -> str:
    """A stored decimal as a person types it, with at least ``places`` decimals: ``"40.0000"`` →
    ``"40"``, ``"2.5000"`` → ``"2.5"``, a price (``places=2``) ``"0.5"`` → ``"0.50"``, ``"1.105"``
    stays ``"1.105"``. What is not a number is shown as it came."""
    if value is None:
        return ""
    number = finite_decimal(str(value))
    if number is None:
        return str(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{number:.{places}f}" if decimals < places else text


def positive(value: Any) -> bool:
    try:
        return Decimal(str(value)) > 0
    except InvalidOperation:
        return False
