"""Builders of suppliers and custom field catalogs for the unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from suppliers.domain.custom_fields import CustomFieldCatalog, CustomFieldDefinition
from suppliers.domain.model import Supplier

TENANT = UUID("00000000-0000-0000-0000-0000000000aa")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def later(minutes: int = 1) -> datetime:
    return NOW + timedelta(minutes=minutes)


def field(key: str, type: str = "text", **options: Any) -> CustomFieldDefinition:
    return CustomFieldDefinition.define(tenant_id=TENANT, key=key, label=key.title(), type=type, now=NOW, **options)


def catalog(*definitions: CustomFieldDefinition) -> CustomFieldCatalog:
    return CustomFieldCatalog(definitions)


# The catalog most tests use: one field shown in the portal, one the buyer keeps to itself.
CATALOG = catalog(field("region", shown_in_portal=True), field("rating", "number"))


def supplier(status: str = "not_invited", *, fields: CustomFieldCatalog = CATALOG, **overrides: Any) -> Supplier:
    """A supplier registered by the buyer, brought to ``status`` through the portal's own steps."""
    values: dict[str, Any] = {
        "name": "Acme Tools",
        "email": "buyer-side@acme.example",
        "phone": "+49 1",
        "currency": "EUR",
        "tolerance_rate": Decimal("5"),
        "custom_fields": {"region": "north", "rating": "4"},
    }
    values.update(overrides)
    created = Supplier.register(tenant_id=TENANT, now=NOW, catalog=fields, **values)
    if status in ("active", "inactive"):
        created.activate_portal(later(), fields)
    if status == "inactive":
        created.deactivate_portal(later(2), fields)
    created.events.clear()
    return created
