"""The organisation's default tolerance (MATCHING.md): what a supplier without a tolerance of its
own is held to. A rate in percent of the order's net total, and an optional amount in the order's
currency; where both are set, the stricter wins (matching decides that, per order)."""

from __future__ import annotations

from decimal import Decimal

from gateway.domain.errors import InvalidMatchingDefault
from shared.money import DEFAULT_MINOR_UNIT, MINOR_UNITS

MAX_TOLERANCE_RATE = Decimal(100)
# The amount serves orders in any currency: it may be as fine as the finest minor unit (3 decimals).
AMOUNT_DECIMALS = max(DEFAULT_MINOR_UNIT, *MINOR_UNITS.values())
# Far above any order; keeps the amount within what a Decimal holds exactly.
MAX_TOLERANCE_AMOUNT = Decimal(10) ** 15


def validate_default_tolerance_rate(rate: Decimal) -> Decimal:
    if not rate.is_finite() or rate < 0 or rate > MAX_TOLERANCE_RATE:
        raise InvalidMatchingDefault(
            "the default tolerance rate must be between 0 and 100 percent",
            field="default_tolerance_rate",
            message="a percentage from 0 to 100",
        )
    return rate


def validate_default_tolerance_amount(amount: Decimal | None) -> Decimal | None:
    """None: no default amount (the rate alone sets the limit)."""
    if amount is None:
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_TOLERANCE_AMOUNT:
        raise InvalidMatchingDefault(
            "the default tolerance amount must be 0 or more and below 10^15",
            field="default_tolerance_amount",
            message="an amount >= 0",
        )
    finest = amount.quantize(Decimal(1).scaleb(-AMOUNT_DECIMALS))
    if finest != amount:
        raise InvalidMatchingDefault(
            f"the default tolerance amount has more than {AMOUNT_DECIMALS} decimals",
            field="default_tolerance_amount",
            message=f"an amount with at most {AMOUNT_DECIMALS} decimals",
        )
    # Kept as typed ("10.5"), but without zeros beyond the finest minor unit ("10.5000" is 10.500).
    return finest if int(amount.as_tuple().exponent) < -AMOUNT_DECIMALS else amount
