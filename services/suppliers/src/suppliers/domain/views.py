"""The portal profile as the supplier sees it, JSON-safe (decimals as strings), for answers and events."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from suppliers.domain.sync import PortalProfile


def profile_view(
    supplier_id: UUID, profile: PortalProfile, portal_status: str, shown: frozenset[str]
) -> dict[str, Any]:
    amount = profile.minimum_order_amount
    return {
        "supplier_id": str(supplier_id),
        "name": profile.name,
        "email": profile.email,
        "phone": profile.phone,
        "currency": profile.currency,
        "legal_name": profile.legal_name,
        "address": profile.address,
        "tax_id": profile.tax_id,
        "minimum_order_amount": None if amount is None else str(amount),
        "lead_time_days": profile.lead_time_days,
        # Only the fields shown in the portal: hidden values never leave the buyer's side.
        "custom_fields": {k: v for k, v in profile.custom_fields.items() if k in shown},
        "portal_status": portal_status,
    }
