"""What the line editors (invoice, purchase order, request for proposals) share, apart from any
page: the lines a posted form holds, and the net of a priced line and of all of them.

A form names its line fields ``line-<n>-<field>`` and counts its lines in ``line_count``; a line
taken off the page leaves a gap in the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from shared.money import line_net, round_money
from web.domain.numbers import finite_decimal

MAX_LINES = 500


def posted_lines(form: Mapping[str, Any]) -> Iterator[Callable[[str], str]]:
    """The lines of a posted form in their order, each as what was typed in its fields
    (``typed("quantity")`` is the line's ``line-<n>-quantity``): up to the form's ``line_count``
    (``MAX_LINES`` at most), less the numbers with no quantity field (lines taken off)."""
    for index in range(min(_count(form.get("line_count")), MAX_LINES)):
        prefix = f"line-{index}-"
        if f"{prefix}quantity" in form:
            yield partial(_typed, form, prefix)


def _typed(form: Mapping[str, Any], prefix: str, name: str) -> str:
    return str(form.get(f"{prefix}{name}") or "")


def _count(value: Any) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0


class PricedLine:
    """A line with a quantity and a unit price as typed (the invoice's and the order's lines)."""

    quantity: str
    unit_price: str

    def amounts(self) -> tuple[Decimal, Decimal] | None:
        """The quantity and the unit price, once both are numbers."""
        quantity, price = finite_decimal(self.quantity.strip()), finite_decimal(self.unit_price.strip())
        return (quantity, price) if quantity is not None and price is not None else None

    def net(self, currency: str) -> Decimal | None:
        amounts = self.amounts()
        return line_net(amounts[0], amounts[1], currency) if amounts else None


def net_total(lines: Iterable[PricedLine], currency: str) -> Decimal | None:
    """The sum of the line nets; None while a line has no valid number yet."""
    nets = [line.net(currency) for line in lines]
    if any(net is None for net in nets):
        return None
    return round_money(sum((net for net in nets if net is not None), Decimal(0)), currency)
