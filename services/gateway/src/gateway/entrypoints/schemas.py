"""Request and response bodies of the gateway's own API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from shared.contracts.base import DecimalStr
from shared.text_input import OneLine


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
    name: Annotated[str, OneLine] | None = Field(None, max_length=300)


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
    restricted_supplier_ids: list[UUID] = Field(
        [],
        description="of supplier_ids, the records whose buyer switched its supplier portal off: there the"
        " user sees and invoices only the purchase orders still to invoice",
    )
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
    name: Annotated[str, OneLine] = Field(min_length=1, max_length=300)
    password: str = Field(min_length=1, max_length=1024)
    role: Literal["buyer_admin", "buyer_user"]


class UserOut(BaseModel):
    id: UUID
    email: str
    name: str
    role: str
    tenant_id: UUID | None
    active: bool = Field(True, description="false once switched off: the user's tokens answer 401")


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None = None


ProfileText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), OneLine]
PAYMENT_TERMS_DOC = "days from an invoice's issue date to its due date for suppliers without terms of their own"
REMINDER_DOC = "days a held invoice waits for its approver before a reminder, and between reminders"
DEFAULT_TOLERANCE_RATE_DOC = (
    "percent of a purchase order's net total an invoice may exceed what remains of the order by and still "
    "be approved on the spot, for suppliers without a tolerance of their own"
)
DEFAULT_TOLERANCE_AMOUNT_DOC = (
    "an amount in the order's currency (at most 3 decimals) that caps the limit the default rate gives, for "
    "suppliers without a tolerance of their own: the stricter wins, so at 0 % no excess is allowed whatever "
    "the amount; null: none (in a PATCH, null clears it)"
)
THREE_WAY_DOC = "new purchase orders match their invoices against goods receipts (match_against_receipts)"


class SettingsPatch(BaseModel):
    """The admin's changes; a field left out (or null) stays. The organisation's details (legal_name
    to contact_phone, printed on its purchase orders and invoices) are cleared by an empty string."""

    model_config = ConfigDict(extra="forbid")

    invoice_issue_date_required: bool | None = None
    supplier_portal_enabled: bool | None = None
    default_payment_terms_days: int | None = Field(None, ge=0, le=3650, description=PAYMENT_TERMS_DOC)
    approval_reminder_days: int | None = Field(None, ge=1, le=365, description=REMINDER_DOC)
    default_tolerance_rate: Decimal | None = Field(
        None, ge=0, le=100, allow_inf_nan=False, description=DEFAULT_TOLERANCE_RATE_DOC
    )
    default_tolerance_amount: Decimal | None = Field(
        None, ge=0, max_digits=18, decimal_places=3, allow_inf_nan=False, description=DEFAULT_TOLERANCE_AMOUNT_DOC
    )
    three_way_matching: bool | None = Field(None, description=THREE_WAY_DOC)
    legal_name: ProfileText | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = Field(
        None, description="several lines, as printed"
    )
    tax_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), OneLine] | None = None
    contact_name: ProfileText | None = None
    contact_email: EmailStr | Literal[""] | None = None
    contact_phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), OneLine] | None = None

    def changes(self) -> dict[str, object]:
        """What was sent; a null leaves a setting as it is, except where null is a value of its own."""
        sent = self.model_dump(exclude_unset=True)
        return {name: value for name, value in sent.items() if value is not None or name in NULLABLE_SETTINGS}


# Settings whose null means something ("none"), so a PATCH's null sets it.
NULLABLE_SETTINGS = frozenset({"default_tolerance_amount"})


class SettingsOut(BaseModel):
    organisation_id: UUID
    name: str
    invoice_issue_date_required: bool
    supplier_portal_enabled: bool
    default_payment_terms_days: int = Field(description=PAYMENT_TERMS_DOC)
    approval_reminder_days: int = Field(description=REMINDER_DOC)
    default_tolerance_rate: DecimalStr = Field(description=DEFAULT_TOLERANCE_RATE_DOC)
    default_tolerance_amount: DecimalStr | None = Field(description=DEFAULT_TOLERANCE_AMOUNT_DOC)
    three_way_matching: bool = Field(description=THREE_WAY_DOC)
    legal_name: str | None = Field(description="the organisation's name on documents; its name where null")
    address: str | None
    tax_id: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)


class EmailChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(description="the new login email; a confirmation link goes there")
    password: str = Field(min_length=1, max_length=1024, description="the account's current password")


class Accepted(BaseModel):
    """The request was taken; what follows arrives by email."""

    detail: str


class EmailOut(BaseModel):
    email: str


class ColleagueInvite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    name: Annotated[str, OneLine] = Field(min_length=1, max_length=300)


class ColleagueOut(BaseModel):
    id: UUID
    email: str
    name: str
    active: bool


class PendingColleagueOut(BaseModel):
    email: str
    name: str | None
    invited_by: str | None
    expires_at: datetime


class ColleaguePage(BaseModel):
    items: list[ColleagueOut] = Field(description="every account working on the caller's supplier records")
    invitations: list[PendingColleagueOut] = Field(description="colleagues invited who have not accepted yet")


class InvitationOut(BaseModel):
    email: str
    expires_at: datetime
