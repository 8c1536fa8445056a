"""One supplier: the buyer's record, the supplier's portal profile, and the portal status.

Plain Python: no database, web or messaging imports. Which edit reaches which view is decided
in ``sync``; custom field values are checked by the tenant's ``CustomFieldCatalog``. Changes
record events in ``events``; the unit of work writes them to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.contracts.base import EventPayload
from shared.contracts.suppliers import (
    Actor,
    SupplierContact,
    SupplierCreated,
    SupplierPortalActivated,
    SupplierPortalDeactivated,
    SupplierProfileUpdated,
    SupplierSnapshot,
    SupplierUpdated,
    TolerancePolicy,
)
from shared.fields import values_of
from suppliers.domain.custom_fields import CustomFieldCatalog
from suppliers.domain.errors import InvalidSupplier, PortalStateConflict, TermsNeedTheAdmin
from suppliers.domain.sync import (
    BUYER_ONLY,
    SUPPLIER_EDITABLE,
    PortalProfile,
    SharedValues,
    after_buyer_edit,
    after_supplier_edit,
    at_reactivation,
    changed_fields,
    initial_profile,
)
from suppliers.domain.values import (
    PROFILE_CHECKS,
    validate_address,
    validate_currency,
    validate_payment_terms_days,
    validate_tolerance_amount,
    validate_tolerance_rate,
)
from suppliers.domain.views import profile_view

# The terms that decide money (what matching lets through, when an invoice falls due): a buyer
# admin's to set. A buyer user may send them unchanged (a record read and sent back whole), and
# null on a new supplier (the organisation's defaults).
ADMIN_TERMS = ("tolerance_rate", "tolerance_amount", "payment_terms_days")


def ensure_may_set_terms(by: Actor | None, names: list[str]) -> None:
    """Refuse a buyer user setting any of ``ADMIN_TERMS`` among ``names``."""
    if by is not None and by.role != "buyer_admin" and (refused := [n for n in ADMIN_TERMS if n in names]):
        raise TermsNeedTheAdmin(refused)


@dataclass
class Supplier:
    id: UUID
    tenant_id: UUID
    name: str
    email: str
    currency: str
    created_at: datetime
    updated_at: datetime
    # The buyer's tolerance for this supplier's invoices (MATCHING.md): a percentage of the order's
    # net total and an amount in the supplier's currency; the stricter wins where both are set.
    # None on both: the organisation's defaults.
    tolerance_rate: Decimal | None = None
    tolerance_amount: Decimal | None = None
    phone: str | None = None
    contacts: list[SupplierContact] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    # Days from an invoice's issue date to its due date; None: the organisation's default.
    payment_terms_days: int | None = None
    # The supplier as documents name it; the supplier's own details (see ``sync``).
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None
    portal_status: str = "not_invited"
    revision: int = 1
    profile: PortalProfile | None = None
    # Shared fields the buyer edited while the portal was inactive: they reach the profile on reactivation.
    waiting_for_portal: frozenset[str] = frozenset()
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls,
        *,
        tenant_id: UUID,
        name: str,
        email: str,
        currency: str,
        now: datetime,
        catalog: CustomFieldCatalog,
        tolerance_rate: Decimal | None = None,
        tolerance_amount: Decimal | None = None,
        phone: str | None = None,
        contacts: list[SupplierContact] | None = None,
        custom_fields: dict[str, Any] | None = None,
        payment_terms_days: int | None = None,
        legal_name: str | None = None,
        address: str | None = None,
        tax_id: str | None = None,
        by: Actor | None = None,
    ) -> Supplier:
        """``by``: who registers it (None: no person); a buyer user sets none of ``ADMIN_TERMS``."""
        terms = (tolerance_rate, tolerance_amount, payment_terms_days)
        ensure_may_set_terms(by, [name for name, value in zip(ADMIN_TERMS, terms, strict=True) if value is not None])
        supplier = cls(
            id=uuid4(),
            tenant_id=tenant_id,
            name=name,
            email=email,
            phone=phone,
            currency=validate_currency(currency),
            tolerance_rate=validate_tolerance_rate(tolerance_rate),
            tolerance_amount=validate_tolerance_amount(tolerance_amount, currency),
            contacts=list(contacts or []),
            custom_fields=catalog.buyer_values({}, custom_fields or {}),
            payment_terms_days=validate_payment_terms_days(payment_terms_days),
            legal_name=legal_name,
            address=validate_address(address),
            tax_id=tax_id,
            created_at=now,
            updated_at=now,
        )
        supplier.events.append(SupplierCreated(**supplier._state(catalog), actor=by))
        return supplier

    def shared(self) -> SharedValues:
        return SharedValues(
            self.name,
            self.email,
            self.phone,
            self.currency,
            dict(self.custom_fields),
            legal_name=self.legal_name,
            address=self.address,
            tax_id=self.tax_id,
        )

    def update(
        self, changes: dict[str, Any], now: datetime, catalog: CustomFieldCatalog, *, by: Actor | None = None
    ) -> None:
        """Apply the buyer's changes; unknown fields never reach here (the edge refuses them).
        A buyer user (``by``) changes none of ``ADMIN_TERMS``; sent unchanged they are no change."""
        changes = dict(changes)
        if "currency" in changes:
            validate_currency(changes["currency"])
        if "tolerance_rate" in changes:
            validate_tolerance_rate(changes["tolerance_rate"])
        if "tolerance_amount" in changes or "currency" in changes:
            # The amount is in the supplier's currency: a new currency may not have its decimals.
            amount = changes.get("tolerance_amount", self.tolerance_amount)
            changes["tolerance_amount"] = validate_tolerance_amount(amount, changes.get("currency", self.currency))
        if "payment_terms_days" in changes:
            validate_payment_terms_days(changes["payment_terms_days"])
        if "address" in changes:
            validate_address(changes["address"])
        # Required custom fields must be there after every edit of the buyer, not only when it sends them.
        changes["custom_fields"] = catalog.buyer_values(self.custom_fields, changes.get("custom_fields") or {})
        before = self.shared()
        changed = [name for name, value in changes.items() if getattr(self, name) != value]
        if not changed:
            return
        ensure_may_set_terms(by, changed)
        for name in changed:
            setattr(self, name, changes[name])
        edited = changed_fields(before, self.shared())
        self.profile, waiting = after_buyer_edit(self.profile, self.shared(), edited, self.portal_status)
        self.waiting_for_portal |= waiting
        self._touch(now)
        self.events.append(SupplierUpdated(**self._state(catalog), actor=by))

    def edit_profile(
        self, changes: dict[str, Any], now: datetime, catalog: CustomFieldCatalog, *, by: Actor | None = None
    ) -> None:
        """Apply the supplier's changes to its profile; what it shares reaches the buyer's record."""
        if self.portal_status != "active":
            raise PortalStateConflict("the supplier's portal is not active")
        if refused := sorted(changes.keys() - SUPPLIER_EDITABLE):
            raise InvalidSupplier(
                "the supplier may not edit these fields",
                errors=[
                    {"field": f, "message": "set by the buyer" if f in BUYER_ONLY else "not editable"} for f in refused
                ],
            )
        changes = dict(changes)
        for name, check in PROFILE_CHECKS.items():
            if name in changes:
                check(changes[name])
        profile = self.profile or initial_profile(self.shared())
        if "custom_fields" in changes:
            changes["custom_fields"] = catalog.supplier_values(profile.custom_fields, changes["custom_fields"] or {})
        edited = replace(profile, **changes)
        if edited == profile:
            return
        record = after_supplier_edit(self.shared(), edited, changed_fields(profile, edited))
        self.name, self.email, self.phone = record.name, record.email, record.phone
        self.legal_name, self.address, self.tax_id = record.legal_name, record.address, record.tax_id
        self.custom_fields = dict(record.custom_fields)
        self.profile = edited
        self._touch(now)
        self.events.append(SupplierProfileUpdated(**self._state(catalog), actor=by))

    def activate_portal(self, now: datetime, catalog: CustomFieldCatalog, *, by: Actor | None = None) -> None:
        if self.portal_status == "active":
            raise PortalStateConflict("the supplier's portal is already active")
        first_activation = self.portal_status == "not_invited"
        if self.profile is None:
            self.profile = initial_profile(self.shared())
        else:
            self.profile = at_reactivation(self.profile, self.shared(), self.waiting_for_portal)
        self.waiting_for_portal = frozenset()
        self.portal_status = "active"
        self._touch(now)
        self.events.append(SupplierPortalActivated(**self._state(catalog), first_activation=first_activation, actor=by))

    def deactivate_portal(self, now: datetime, catalog: CustomFieldCatalog, *, by: Actor | None = None) -> None:
        if self.portal_status != "active":
            raise PortalStateConflict("the supplier's portal is not active")
        self.portal_status = "inactive"
        self._touch(now)
        self.events.append(SupplierPortalDeactivated(**self._state(catalog), actor=by))

    def profile_view(self, shown: frozenset[str]) -> dict[str, Any] | None:
        """The supplier's view, JSON-safe, with the custom fields shown in the portal only."""
        if self.profile is None:
            return None
        return profile_view(self.id, self.profile, self.portal_status, shown)

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now

    def _state(self, catalog: CustomFieldCatalog) -> dict[str, Any]:
        terms = self.profile or PortalProfile(self.name, self.email, self.phone, self.currency)
        return values_of(
            SupplierSnapshot.model_fields,
            self,
            supplier_id=self.id,
            # Read by consumers older than ``tolerance``: the supplier's own rate, 0 where it has none.
            tolerance_rate=Decimal(0) if self.tolerance_rate is None else self.tolerance_rate,
            tolerance=TolerancePolicy(rate=self.tolerance_rate, amount=self.tolerance_amount),
            minimum_order_amount=terms.minimum_order_amount,
            lead_time_days=terms.lead_time_days,
            portal_profile=self.profile_view(catalog.shown_keys),
        )

    def snapshot(self, catalog: CustomFieldCatalog) -> SupplierSnapshot:
        return SupplierUpdated(**self._state(catalog))
