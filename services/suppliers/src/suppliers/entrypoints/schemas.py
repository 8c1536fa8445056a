"""Request and response bodies of the suppliers API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.contracts.base import DecimalStr
from shared.contracts.suppliers import SupplierContact
from suppliers.domain.model import Supplier


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)


class SupplierCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    email: EmailStr
    phone: str | None = Field(None, max_length=50)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    tolerance_rate: Decimal = Field(Decimal(0), ge=0, le=100, description="percent of the PO net total")
    contacts: list[Contact] = []
    custom_fields: dict[str, Any] = {}


class SupplierPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=300)
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=50)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    tolerance_rate: Decimal | None = Field(None, ge=0, le=100)
    contacts: list[Contact] | None = None
    custom_fields: dict[str, Any] | None = None

    def changes(self) -> dict[str, Any]:
        changes = {name: getattr(self, name) for name in self.model_fields_set}
        if changes.get("contacts") is not None:
            changes["contacts"] = [SupplierContact(**c.model_dump()) for c in self.contacts or []]
        for required in ("name", "email", "currency", "tolerance_rate", "contacts", "custom_fields"):
            if required in changes and changes[required] is None:
                del changes[required]
        return changes


class SupplierOut(BaseModel):
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    phone: str | None
    currency: str
    tolerance_rate: DecimalStr
    contacts: list[SupplierContact]
    custom_fields: dict[str, Any]
    portal_status: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, supplier: Supplier) -> SupplierOut:
        return cls(
            id=supplier.id,
            tenant_id=supplier.tenant_id,
            name=supplier.name,
            email=supplier.email,
            phone=supplier.phone,
            currency=supplier.currency,
            tolerance_rate=supplier.tolerance_rate,
            contacts=supplier.contacts,
            custom_fields=supplier.custom_fields,
            portal_status=supplier.portal_status,
            created_at=supplier.created_at,
            updated_at=supplier.updated_at,
        )


class PortalProfileOut(BaseModel):
    supplier_id: UUID
    name: str
    email: str
    phone: str | None
    currency: str
    portal_status: str


class SupplierPage(BaseModel):
    items: list[SupplierOut]
    next_cursor: str | None = None


class ProfilePage(BaseModel):
    items: list[PortalProfileOut]
