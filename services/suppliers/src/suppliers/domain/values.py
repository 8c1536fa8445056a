"""Checks of single values of a supplier: each refuses with the field it is about."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from shared.money import minor_unit, quantum
from suppliers.domain.errors import InvalidSupplier

_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TOLERANCE_RATE = Decimal(100)
MAX_ADDRESS_LENGTH = 1000
# Far above any order; keeps the amount within what a Decimal quantizes exactly.
MAX_TOLERANCE_AMOUNT = Decimal(10) ** 15


def _refuse(field: str, detail: str, message: str) -> InvalidSupplier:
    return InvalidSupplier(detail, errors=[{"field": field, "message": message}])


def validate_currency(currency: str) -> str:
    if not _CURRENCY.match(currency):
        raise _refuse("currency", "currency must be an ISO 4217 code", "three capital letters, e.g. EUR")
    return currency


def validate_tolerance_rate(rate: Decimal | None) -> Decimal | None:
    """A percentage of the order's net total; None: the supplier has no rate of its own."""
    if rate is not None and (not rate.is_finite() or rate < 0 or rate > MAX_TOLERANCE_RATE):
        raise _refuse(
            "tolerance_rate", "tolerance rate must be between 0 and 100 percent", "a percentage from 0 to 100"
        )
    return rate


def validate_tolerance_amount(amount: Decimal | None, currency: str) -> Decimal | None:
    """An amount in the supplier's currency, to its minor unit (``10.5`` EUR is kept as ``10.50``);
    None: the supplier has no amount of its own. A currency's minor unit is not cut: an amount
    with more decimals than the currency has is refused, not rounded."""
    if amount is None:
        return None
    if not amount.is_finite() or amount < 0:
        raise _refuse("tolerance_amount", "the tolerance amount cannot be negative", "an amount >= 0")
    if amount >= MAX_TOLERANCE_AMOUNT:
        raise _refuse("tolerance_amount", "the tolerance amount is too large", "an amount below 10^15")
    in_minor_units = amount.quantize(quantum(currency))
    if in_minor_units != amount:
        decimals = minor_unit(currency)
        fits = f"an amount with at most {decimals} decimals in {currency}"
        if decimals == 0:
            fits = f"a whole amount in {currency}"
        raise _refuse("tolerance_amount", f"the tolerance amount has more decimals than {currency} has", fits)
    return in_minor_units


def validate_minimum_order_amount(amount: Decimal | None) -> Decimal | None:
    if amount is not None and (not amount.is_finite() or amount < 0):
        raise _refuse("minimum_order_amount", "the minimum order amount cannot be negative", "a decimal >= 0")
    return amount


def validate_lead_time_days(days: int | None) -> int | None:
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        raise _refuse("lead_time_days", "the lead time is a whole number of days", "an integer >= 0")
    return days


def validate_address(address: str | None) -> str | None:
    if address is not None and len(address) > MAX_ADDRESS_LENGTH:
        raise _refuse("address", "the address is too long", f"at most {MAX_ADDRESS_LENGTH} characters")
    return address


def validate_payment_terms_days(days: int | None) -> int | None:
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        raise _refuse("payment_terms_days", "payment terms are a whole number of days", "an integer >= 0")
    return days


PROFILE_CHECKS: dict[str, Any] = {
    "minimum_order_amount": validate_minimum_order_amount,
    "lead_time_days": validate_lead_time_days,
    "address": validate_address,
}
