"""What the line editors (invoice, purchase order, request for proposals) share, apart from any
page: the lines a posted form holds, and the net and tax of a priced line and the totals of all
of them, by the rules the API applies (``shared.taxes``).

A form names its line fields ``line-<n>-<field>`` and counts its lines in ``line_count``; a line
taken off the page leaves a gap in the numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from shared.money import line_net
from shared.taxes import MAX_TAX_RATE, Totals, line_tax, totals
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
    """A line with a quantity, a unit price and a tax rate as typed (the invoice's and the order's
    lines); an empty rate is 0 %."""

    quantity: str
    unit_price: str
    tax_rate: str

    def amounts(self) -> tuple[Decimal, Decimal] | None:
        """The quantity and the unit price, once both are numbers."""
        quantity, price = finite_decimal(self.quantity.strip()), finite_decimal(self.unit_price.strip())
        return (quantity, price) if quantity is not None and price is not None else None

    def rate(self) -> Decimal | None:
        """The tax rate once it is a percentage from 0 to 100 (empty: 0)."""
        rate = finite_decimal(self.tax_rate.strip() or "0")
        return rate if rate is not None and 0 <= rate <= MAX_TAX_RATE else None

    def net(self, currency: str) -> Decimal | None:
        amounts = self.amounts()
        return line_net(amounts[0], amounts[1], currency) if amounts else None

    def priced(self, currency: str) -> PricedAmounts | None:
        net, rate = self.net(currency), self.rate()
        return PricedAmounts(net, rate, line_tax(net, rate, currency)) if net is not None and rate is not None else None


@dataclass(frozen=True)
class PricedAmounts:
    """A line's net, tax rate and tax (``shared.taxes.TaxedLine``)."""

    net_amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal


def line_totals(lines: Iterable[PricedLine], currency: str) -> Totals | None:
    """Net, tax and gross totals of the lines; None while a line has no valid number yet."""
    priced = [line.priced(currency) for line in lines]
    if any(line is None for line in priced):
        return None
    return totals((line for line in priced if line is not None), currency)


def rate_problem(line: PricedLine) -> str | None:
    """What is wrong with the typed tax rate, in the person's words; None when it is a rate."""
    if line.rate() is not None:
        return None
    return f"Enter a tax rate from 0 to {MAX_TAX_RATE} %, like 20 or 7.5."
