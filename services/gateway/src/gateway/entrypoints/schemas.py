"""Request and response bodies of the gateway's own API."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class AcceptInvitation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)
    name: str | None = Field(None, max_length=300)


class SupplierOrganisationOut(BaseModel):
    """A buyer organisation the supplier user works for, through one of its supplier records."""

    supplier_id: UUID
    supplier_name: str = Field(description="the supplier record's name, as that buyer keeps it")
    tenant_id: UUID = Field(description="the buyer organisation")
    buyer_name: str
    invoice_issue_date_required: bool = Field(description="whether this buyer needs an issue date on invoices")


class MeOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    role: str
    tenant_id: UUID | None
    supplier_ids: list[UUID]
    organisations: list[SupplierOrganisationOut] = Field(
        description="a supplier user's: one per supplier record of the token (supplier_ids), by buyer_name then"
        " supplier_name; a buyer's: empty",
    )


class SupplierSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supplier_id: UUID = Field(description="one of the caller's supplier records (see organisations of /me)")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: str = Field(min_length=1, max_length=300)
    password: str = Field(min_length=1, max_length=1024)
    role: Literal["buyer_admin", "buyer_user"]


class UserOut(BaseModel):
    id: UUID
    email: str
    name: str
    role: str
    tenant_id: UUID | None


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None = None


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoice_issue_date_required: bool | None = None
    supplier_portal_enabled: bool | None = None


class SettingsOut(BaseModel):
    organisation_id: UUID
    name: str
    invoice_issue_date_required: bool
    supplier_portal_enabled: bool
