"""Field ownership between the two views of one supplier: which edit reaches which view.

The buyer keeps a supplier record; the supplier keeps its portal profile. The rules:

- **currency** is the buyer's alone; every change reaches the profile at once, in any portal status.
- **email and phone** are the supplier's contact details, and **legal name, address and tax ID**
  its details on documents: the supplier's edits reach the buyer's record, the buyer's edits while
  the portal is active stay in the buyer's record.
- **name and custom fields** flow both ways while the portal is active.
- While the portal is **inactive** the buyer's edits stay in the record and wait; **reactivation**
  brings every waiting edit (email and phone included) to the profile.
- **terms** (minimum order amount, lead time) exist in the profile only.
- At the **first activation** the profile starts as a copy of the record.

Fields are named by path: ``name``, ``email``, ``phone``, ``currency``, ``legal_name``, ``address``,
``tax_id`` and ``custom_fields.<key>``.
Pure functions on frozen values; the ``Supplier`` aggregate applies what they return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol, TypeVar

CUSTOM_PREFIX = "custom_fields."
PLAIN_SHARED = ("name", "email", "phone", "currency", "legal_name", "address", "tax_id")
BUYER_ONLY = frozenset({"currency"})
# The supplier's own: its edits win, the buyer's wait in the record while the portal is live.
SUPPLIER_CONTACT = frozenset({"email", "phone", "legal_name", "address", "tax_id"})
# What the supplier may send in an edit of its profile.
SUPPLIER_EDITABLE = frozenset(
    {
        "name",
        "email",
        "phone",
        "legal_name",
        "address",
        "tax_id",
        "minimum_order_amount",
        "lead_time_days",
        "custom_fields",
    }
)
_MISSING = object()


class SharedView(Protocol):
    """What both views hold: the plain shared fields and the custom field values."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def currency(self) -> str: ...
    @property
    def legal_name(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def tax_id(self) -> str | None: ...
    @property
    def custom_fields(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class SharedValues:
    """The buyer's record as far as the portal profile shares it."""

    name: str
    email: str
    phone: str | None
    currency: str
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    legal_name: str | None = None
    address: str | None = None
    tax_id: str | None = None


@dataclass(frozen=True)
class PortalProfile:
    """The supplier's own view. ``custom_fields`` keeps every value; only the shown ones are ever shown."""

    name: str
    email: str
    phone: str | None
    currency: str
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    address: str | None = None
    minimum_order_amount: Decimal | None = None
    lead_time_days: int | None = None
    legal_name: str | None = None
    tax_id: str | None = None


V = TypeVar("V", SharedValues, PortalProfile)


def custom_path(key: str) -> str:
    return CUSTOM_PREFIX + key


def _value(view: SharedView, path: str) -> Any:
    if path.startswith(CUSTOM_PREFIX):
        return view.custom_fields.get(path.removeprefix(CUSTOM_PREFIX), _MISSING)
    return getattr(view, path)


def changed_fields(before: SharedView, after: SharedView) -> frozenset[str]:
    """The shared paths whose value differs (a custom field added or removed counts)."""
    keys = set(before.custom_fields) | set(after.custom_fields)
    paths = [*PLAIN_SHARED, *(custom_path(k) for k in keys)]
    return frozenset(p for p in paths if _value(before, p) != _value(after, p))


def copy_fields(target: V, source: SharedView, paths: Iterable[str]) -> V:
    """``target`` with the values of ``paths`` taken from ``source`` (a custom field absent there is removed)."""
    plain: dict[str, Any] = {}
    custom = dict(target.custom_fields)
    for path in paths:
        if not path.startswith(CUSTOM_PREFIX):
            plain[path] = getattr(source, path)
            continue
        key = path.removeprefix(CUSTOM_PREFIX)
        if key in source.custom_fields:
            custom[key] = source.custom_fields[key]
        else:
            custom.pop(key, None)
    return replace(target, **plain, custom_fields=custom)


def initial_profile(record: SharedView) -> PortalProfile:
    """The profile at the first activation: a copy of the record, no terms yet."""
    return PortalProfile(
        name=record.name,
        email=record.email,
        phone=record.phone,
        currency=record.currency,
        custom_fields=dict(record.custom_fields),
        legal_name=record.legal_name,
        address=record.address,
        tax_id=record.tax_id,
    )


def buyer_edit_reaches_profile(path: str, portal_status: str) -> bool:
    """Whether the buyer's change of ``path`` reaches the profile now (not waiting for reactivation)."""
    if path in BUYER_ONLY:
        return True
    return portal_status == "active" and path not in SUPPLIER_CONTACT


def after_buyer_edit(
    profile: PortalProfile | None, record: SharedView, changed: Iterable[str], portal_status: str
) -> tuple[PortalProfile | None, frozenset[str]]:
    """The profile after the buyer changed ``changed`` in its (already edited) record, and the
    paths that wait for the portal's reactivation."""
    if profile is None:  # not invited yet: the first activation copies the whole record
        return None, frozenset()
    changed = frozenset(changed)
    flowing = {p for p in changed if buyer_edit_reaches_profile(p, portal_status)}
    waiting = frozenset(p for p in changed - flowing if portal_status == "inactive")
    return copy_fields(profile, record, flowing), waiting


def supplier_edit_reaches_record(path: str) -> bool:
    """Every shared field the supplier may edit flows to the buyer's record (currency it may not edit)."""
    return path not in BUYER_ONLY


def after_supplier_edit(record: SharedValues, profile: SharedView, changed: Iterable[str]) -> SharedValues:
    """The buyer's record after the supplier changed ``changed`` in its (already edited) profile."""
    return copy_fields(record, profile, [p for p in changed if supplier_edit_reaches_record(p)])


def at_reactivation(profile: PortalProfile, record: SharedView, waiting: Iterable[str]) -> PortalProfile:
    """The profile when the portal is switched on again: every edit the buyer made meanwhile arrives."""
    return copy_fields(profile, record, waiting)
