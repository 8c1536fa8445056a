"""The supplier's terms held against a purchase order: warnings for both sides, never a refusal.

An order below the supplier's minimum order amount, or due sooner than its lead time allows, is
still sent: the buyer may have agreed otherwise with the supplier. The warning makes the gap
visible to both sides (answers, events, documents) instead of blocking the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.contracts.orders import TermsWarning
from shared.money import round_money


@dataclass(frozen=True)
class SupplierTerms:
    """What the supplier states in its portal profile; ``None`` means it states nothing."""

    minimum_order_amount: Decimal | None = None
    lead_time_days: int | None = None


def terms_warnings(
    terms: SupplierTerms,
    *,
    net_total: Decimal,
    currency: str,
    delivery_date: date | None,
    ordered_on: date,
) -> list[TermsWarning]:
    """The supplier terms the order ignores; exactly the minimum, or exactly the lead time, is fine."""
    warnings = []
    minimum = terms.minimum_order_amount
    if minimum is not None and net_total < minimum:
        warnings.append(
            TermsWarning(
                code="below_minimum_order_amount",
                message=(
                    f"net total {round_money(net_total, currency)} {currency} is below the supplier's "
                    f"minimum order amount of {round_money(minimum, currency)} {currency}"
                ),
            )
        )
    lead_time = terms.lead_time_days
    if lead_time is not None and delivery_date is not None:
        earliest = ordered_on + timedelta(days=lead_time)
        if delivery_date < earliest:
            warnings.append(
                TermsWarning(
                    code="inside_lead_time",
                    message=(
                        f"delivery date {delivery_date.isoformat()} is {(delivery_date - ordered_on).days} days "
                        f"after the order date {ordered_on.isoformat()}, inside the supplier's lead time of "
                        f"{lead_time} days (earliest delivery {earliest.isoformat()})"
                    ),
                )
            )
    return warnings
