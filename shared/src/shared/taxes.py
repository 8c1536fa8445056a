"""Tax on priced lines: a line's tax, a document's totals and its summary per rate.

The rule (MATCHING.md, Tax): a line's tax is its net amount × its rate %, rounded half-up to
the currency's minor unit, line by line; a document's tax total is the sum of its lines' taxes
(never the rate applied to the net total, which can differ by a cent per line), and its gross
total is net + tax. The summary per rate adds up those same line figures, so its rows always
sum to the document's totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from shared.money import ZERO, percent_of, round_money

# A rate is a percentage with up to 4 decimals (8.875 %), 0 allowed.
MAX_TAX_RATE = Decimal(100)
TAX_RATE_DECIMALS = 4


class TaxedLine(Protocol):
    @property
    def net_amount(self) -> Decimal: ...

    @property
    def tax_rate(self) -> Decimal: ...

    @property
    def tax_amount(self) -> Decimal: ...


def line_tax(net_amount: Decimal, tax_rate: Decimal, currency: str) -> Decimal:
    """The tax of one line: ``tax_rate`` % of its net amount, rounded half-up."""
    return percent_of(tax_rate, net_amount, currency)


@dataclass(frozen=True)
class Totals:
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal


class _Priced(Protocol):
    @property
    def lines(self) -> Sequence[TaxedLine]: ...

    @property
    def currency(self) -> str: ...


class TaxedDocument:
    """The totals of a document with taxed ``lines`` in its ``currency`` (a purchase order, an
    invoice), each computed from the lines as ``totals`` does."""

    @property
    def totals(self: _Priced) -> Totals:
        return totals(self.lines, self.currency)

    @property
    def net_total(self: _Priced) -> Decimal:
        return totals(self.lines, self.currency).net_total

    @property
    def tax_total(self: _Priced) -> Decimal:
        return totals(self.lines, self.currency).tax_total

    @property
    def gross_total(self: _Priced) -> Decimal:
        """Net + tax: what the buyer owes for the document."""
        return totals(self.lines, self.currency).gross_total


def totals(lines: Iterable[TaxedLine], currency: str) -> Totals:
    """Net, tax and gross totals of a document's lines, in the currency's minor unit."""
    net = tax = ZERO
    for line in lines:
        net += line.net_amount
        tax += line.tax_amount
    net, tax = round_money(net, currency), round_money(tax, currency)
    return Totals(net_total=net, tax_total=tax, gross_total=net + tax)


@dataclass(frozen=True)
class TaxBand:
    """The lines taxed at one rate: their net amounts and their taxes, summed."""

    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal

    @property
    def gross_amount(self) -> Decimal:
        return self.net_amount + self.tax_amount


def tax_summary(lines: Iterable[TaxedLine], currency: str) -> list[TaxBand]:
    """One band per rate (``20`` and ``20.00`` are one rate), by rate, highest first."""
    bands: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        net, tax = bands.get(line.tax_rate, (ZERO, ZERO))
        bands[line.tax_rate] = (net + line.net_amount, tax + line.tax_amount)
    return [
        TaxBand(tax_rate=plain_rate(rate), net_amount=round_money(net, currency), tax_amount=round_money(tax, currency))
        for rate, (net, tax) in sorted(bands.items(), key=lambda band: band[0], reverse=True)
    ]


def plain_rate(tax_rate: Decimal) -> Decimal:
    """The rate without trailing zeros or an exponent: 20.00 → 20, 8.8750 → 8.875."""
    normal = tax_rate.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def rate_text(tax_rate: Decimal) -> str:
    """A rate as people write it: "20 %", "8.875 %", "0 %"."""
    return f"{plain_rate(tax_rate)} %"
