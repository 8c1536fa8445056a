"""Request and response bodies of the suppliers API: the buyer's record and the supplier's profile."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from shared.contracts.base import DecimalStr
from shared.contracts.suppliers import SupplierContact
from shared.fields import made_of
from shared.text_input import OneLine
from suppliers.entrypoints.custom_field_schemas import PortalCustomFieldOut
from suppliers.service.views import SupplierView


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, OneLine] = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: Annotated[str, OneLine] | None = Field(None, max_length=50)


# What a person types in the suppliers list's search box (blank: no search).
SupplierSearch = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]

CUSTOM_FIELDS_DOC = "values by custom field key; in a PATCH a null removes a value, keys not sent are kept"
PAYMENT_TERMS_DOC = "days from an invoice's issue date to its due date; null: the organisation's default"
TOLERANCE_RATE_DOC = (
    "percent of the PO net total an invoice may exceed what remains of its order by and still be approved "
    "on the spot; null on both tolerance_rate and tolerance_amount: the organisation's defaults"
)
TOLERANCE_AMOUNT_DOC = (
    "an amount in the supplier's currency (at most its decimals) an invoice may exceed what remains of its "
    "order by; where a rate is set too the stricter wins; null: none of its own"
)
ADMIN_ONLY_DOC = (
    "; a buyer admin's to set: a buyer user sending another value than the record's (on a new supplier: "
    "any value but null) is refused with 403"
)
ToleranceRate = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
ToleranceAmount = Annotated[Decimal, Field(ge=0, max_digits=18, allow_inf_nan=False)]
LegalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), OneLine]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50), OneLine]


class LegalDetails(BaseModel):
    """The supplier as documents name it; an empty value clears one."""

    legal_name: LegalName | None = Field(None, description="the name on documents; the supplier's name where null")
    address: Address | None = Field(None, description="several lines, as printed")
    tax_id: TaxId | None = None

    def legal_changes(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) or None
            for name in ("legal_name", "address", "tax_id")
            if name in self.model_fields_set
        }


class SupplierCreate(LegalDetails):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, OneLine] = Field(min_length=1, max_length=300)
    email: EmailStr
    phone: Annotated[str, OneLine] | None = Field(None, max_length=50)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    tolerance_rate: ToleranceRate | None = Field(None, description=TOLERANCE_RATE_DOC + ADMIN_ONLY_DOC)
    tolerance_amount: ToleranceAmount | None = Field(None, description=TOLERANCE_AMOUNT_DOC + ADMIN_ONLY_DOC)
    payment_terms_days: int | None = Field(None, ge=0, le=3650, description=PAYMENT_TERMS_DOC + ADMIN_ONLY_DOC)
    contacts: list[Contact] = []
    custom_fields: dict[str, Any] = Field({}, description=CUSTOM_FIELDS_DOC)


def _without_null_required(changes: dict[str, Any], required: tuple[str, ...]) -> dict[str, Any]:
    # A null for a field that cannot be empty means "leave it as it is".
    return {k: v for k, v in changes.items() if not (k in required and v is None)}


class SupplierPatch(LegalDetails):
    """The buyer's edit. The supplier's terms are read-only here (sending them is a 422); its legal
    name, address and tax ID the buyer may set, and while the portal is active the supplier's own
    edits win (they reach this record, the buyer's stay here)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, OneLine] | None = Field(None, min_length=1, max_length=300)
    email: EmailStr | None = None
    phone: Annotated[str, OneLine] | None = Field(None, max_length=50)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    tolerance_rate: ToleranceRate | None = Field(None, description=TOLERANCE_RATE_DOC + ADMIN_ONLY_DOC)
    tolerance_amount: ToleranceAmount | None = Field(None, description=TOLERANCE_AMOUNT_DOC + ADMIN_ONLY_DOC)
    payment_terms_days: int | None = Field(None, ge=0, le=3650, description=PAYMENT_TERMS_DOC + ADMIN_ONLY_DOC)
    contacts: list[Contact] | None = None
    custom_fields: dict[str, Any] | None = Field(None, description=CUSTOM_FIELDS_DOC)

    def changes(self) -> dict[str, Any]:
        changes = {name: getattr(self, name) for name in self.model_fields_set} | self.legal_changes()
        if changes.get("contacts") is not None:
            changes["contacts"] = [SupplierContact(**c.model_dump()) for c in self.contacts or []]
        if changes.get("email") is not None:
            changes["email"] = str(changes["email"])
        # A null tolerance is not left out: it hands the supplier to the organisation's defaults.
        required = ("name", "email", "currency", "contacts", "custom_fields")
        return _without_null_required(changes, required)


class ProfilePatch(LegalDetails):
    """The supplier's edit of its profile; currency, tolerance rate and the like are the buyer's (422)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, OneLine] | None = Field(None, min_length=1, max_length=300)
    email: EmailStr | None = None
    phone: Annotated[str, OneLine] | None = Field(None, max_length=50)
    minimum_order_amount: Decimal | None = Field(None, ge=0, allow_inf_nan=False)
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    custom_fields: dict[str, Any] | None = Field(None, description=CUSTOM_FIELDS_DOC)

    def changes(self) -> dict[str, Any]:
        changes = {name: getattr(self, name) for name in self.model_fields_set} | self.legal_changes()
        if changes.get("email") is not None:
            changes["email"] = str(changes["email"])
        return _without_null_required(changes, ("name", "email", "custom_fields"))


class PortalProfileOut(BaseModel):
    supplier_id: UUID
    name: str
    email: str
    phone: str | None
    currency: str
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    minimum_order_amount: DecimalStr | None = None
    lead_time_days: int | None = None
    custom_fields: dict[str, Any] = {}
    custom_field_definitions: list[PortalCustomFieldOut] = Field(
        description="the custom fields shown in the portal (each editable in the profile's custom_fields), "
        "in the buyer's order; a field without a value is absent from custom_fields"
    )
    portal_status: str

    @classmethod
    def of(cls, view: SupplierView) -> PortalProfileOut | None:
        shown = view.supplier.profile_view(view.shown)
        if shown is None:
            return None
        definitions = [PortalCustomFieldOut.of(d) for d in view.shown_fields]
        return cls.model_validate({**shown, "custom_field_definitions": definitions})


class SupplierOut(BaseModel):
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    phone: str | None
    currency: str
    tolerance_rate: DecimalStr | None = Field(
        description=TOLERANCE_RATE_DOC + "; always null in a supplier user's view"
    )
    tolerance_amount: DecimalStr | None = Field(
        description=TOLERANCE_AMOUNT_DOC + "; always null in a supplier user's view"
    )
    contacts: list[SupplierContact]
    custom_fields: dict[str, Any]
    portal_status: str
    payment_terms_days: int | None = Field(None, description=PAYMENT_TERMS_DOC)
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    # The supplier's terms, read-only for the buyer (kept by the supplier in its profile).
    minimum_order_amount: DecimalStr | None = None
    lead_time_days: int | None = None
    portal_profile: PortalProfileOut | None = None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: SupplierView, *, for_supplier: bool = False) -> SupplierOut:
        supplier, profile = view.supplier, view.supplier.profile
        custom_fields = supplier.custom_fields
        tolerance = {"tolerance_rate": supplier.tolerance_rate, "tolerance_amount": supplier.tolerance_amount}
        if for_supplier:  # a supplier user never sees the fields the buyer keeps hidden, nor its tolerance
            custom_fields = {k: v for k, v in custom_fields.items() if k in view.shown}
            tolerance = dict.fromkeys(tolerance)
        return made_of(
            cls,
            supplier,
            custom_fields=custom_fields,
            **tolerance,
            minimum_order_amount=profile.minimum_order_amount if profile else None,
            lead_time_days=profile.lead_time_days if profile else None,
            portal_profile=PortalProfileOut.of(view),
        )


class SupplierPage(BaseModel):
    items: list[SupplierOut]
    next_cursor: str | None = None


class ProfilePage(BaseModel):
    items: list[PortalProfileOut]
