"""Decimal money helpers: rounding to a currency's minor unit, half-up, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

# ISO 4217 currencies whose minor unit is not 2 decimals.
MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
    "HUF": 2,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
    "LYD": 3,
    "IQD": 3,
}

DEFAULT_MINOR_UNIT = 2
ZERO = Decimal("0")


def minor_unit(currency: str) -> int:
    """Number of decimals of the currency's minor unit (2 unless the currency says otherwise)."""
    return MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNIT)


@lru_cache(maxsize=256)  # looked up for every line of every document; a Decimal is immutable
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def line_net(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    """Quantity times unit price, rounded half-up to the currency's minor unit."""
    return round_money(quantity * unit_price, currency)


def percent_of(rate: Decimal, amount: Decimal, currency: str) -> Decimal:
    """``rate`` percent of ``amount``, rounded half-up."""
    return round_money(amount * rate / Decimal(100), currency)


def parse_decimal(value: object) -> Decimal:
    """A Decimal from a string or int; floats are refused because they already lost precision."""
    if isinstance(value, float):
        raise ValueError("money must be a decimal string, not a float")
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result
