"""The supplier form and the custom field form, apart from any page: a record or a definition as
the form shows it, what a posted form holds, and the API's body made from it.

What was typed is kept as typed (trimmed), so a form the API refuses shows it again unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from web.domain.numbers import finite_decimal, plain_number

Form = Mapping[str, Any]
# What documents print of the supplier beside its name; the supplier keeps them in its profile too.
LEGAL_DETAILS = ("legal_name", "address", "tax_id")
# The terms a buyer admin sets (the API refuses a buyer user's change of them): a buyer user's form
# shows them without letting them be changed, and sends none.
ADMIN_TERMS = ("tolerance_rate", "tolerance_amount", "payment_terms_days")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass
class SupplierForm:
    """What the supplier form shows: a record's values, or what the person typed."""

    name: str = ""
    email: str = ""
    phone: str = ""
    currency: str = ""
    # Both empty: the organisation's default tolerance.
    tolerance_rate: str = ""
    tolerance_amount: str = ""
    # Empty: the organisation's default payment terms.
    payment_terms_days: str = ""
    legal_name: str = ""
    address: str = ""
    tax_id: str = ""
    custom_fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_record(cls, supplier: dict[str, Any]) -> SupplierForm:
        return cls(
            name=supplier.get("name") or "",
            email=supplier.get("email") or "",
            phone=supplier.get("phone") or "",
            currency=supplier.get("currency") or "",
            tolerance_rate=plain_number(supplier.get("tolerance_rate")),
            # The API answers it to the currency's minor unit, as a person types an amount.
            tolerance_amount=_text(supplier.get("tolerance_amount")),
            payment_terms_days=_text(supplier.get("payment_terms_days")),
            legal_name=supplier.get("legal_name") or "",
            address=supplier.get("address") or "",
            tax_id=supplier.get("tax_id") or "",
            custom_fields={k: "" if v is None else str(v) for k, v in (supplier.get("custom_fields") or {}).items()},
        )

    @classmethod
    def of_form(cls, form: Form, definitions: list[dict[str, Any]]) -> SupplierForm:
        def typed(name: str) -> str:
            return str(form.get(name) or "").strip()

        return cls(
            name=typed("name"),
            email=typed("email"),
            phone=typed("phone"),
            # Codes are capitals; "eur" is what a hurried person types for EUR.
            currency=typed("currency").upper(),
            tolerance_rate=typed("tolerance_rate").replace(",", "."),
            tolerance_amount=typed("tolerance_amount"),
            payment_terms_days=typed("payment_terms_days"),
            legal_name=typed("legal_name"),
            # A browser sends a text area's lines ended by "\r\n"; the record keeps "\n".
            address=typed("address").replace("\r\n", "\n"),
            tax_id=typed("tax_id"),
            custom_fields={d["key"]: typed("cf-" + d["key"]) for d in definitions},
        )

    def keeping_the_terms_of(self, record: SupplierForm) -> SupplierForm:
        """This form with ``ADMIN_TERMS`` as ``record`` has them: what a buyer user's form holds,
        whatever was posted."""
        return replace(self, **{name: getattr(record, name) for name in ADMIN_TERMS})

    def new_supplier(self) -> dict[str, Any]:
        """The API's body for a new supplier; fields left empty take the API's defaults."""
        body: dict[str, Any] = {
            "name": self.name,
            "email": self.email,
            "phone": self.phone or None,
            "currency": self.currency,
            "custom_fields": {k: v for k, v in self.custom_fields.items() if v},
        }
        for name in ("tolerance_rate", "tolerance_amount", "payment_terms_days"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        for name in LEGAL_DETAILS:
            if getattr(self, name):
                body[name] = getattr(self, name)
        return body

    def changes(self, current: dict[str, Any]) -> dict[str, Any]:
        """What differs from the record, as the API's PATCH takes it. A required field emptied is
        sent empty, so that the API says why it cannot be; an emptied phone or custom field is cleared."""
        was = SupplierForm.of_record(current)
        changes: dict[str, Any] = {}
        for name in ("name", "email", "currency"):
            if getattr(self, name) != getattr(was, name):
                changes[name] = getattr(self, name)
        if self.phone != was.phone:
            changes["phone"] = self.phone or None
        if self.payment_terms_days != was.payment_terms_days:
            # Emptied: back to the organisation's default.
            changes["payment_terms_days"] = self.payment_terms_days or None
        for name in LEGAL_DETAILS:
            if getattr(self, name) != getattr(was, name):
                # The API clears a legal detail sent empty.
                changes[name] = getattr(self, name)
        for name in ("tolerance_rate", "tolerance_amount"):
            typed, stored = getattr(self, name), getattr(was, name)
            if _differs(typed, stored):
                # Emptied: the organisation's default; what is not a number goes as typed, for the API to say why.
                changes[name] = typed or None
        custom = {
            key: typed or None for key, typed in self.custom_fields.items() if typed != was.custom_fields.get(key, "")
        }
        if custom:
            changes["custom_fields"] = custom
        return changes


def _differs(typed: str, stored: str) -> bool:
    """Whether a number typed differs from the one shown: "2.50" is "2.5", and "" is none."""
    if not typed or not stored:
        return typed != stored
    number = finite_decimal(typed)
    return number is None or number != finite_decimal(stored)


@dataclass
class FieldForm:
    """The custom field form: a definition's settings, or what the person typed."""

    key: str = ""
    label: str = ""
    type: str = "text"
    choices: str = ""
    required: bool = False
    shown_in_portal: bool = False

    @classmethod
    def of_definition(cls, definition: dict[str, Any]) -> FieldForm:
        return cls(
            key=definition["key"],
            label=definition["label"],
            type=definition["type"],
            choices="\n".join(definition.get("choices") or []),
            required=bool(definition.get("required")),
            shown_in_portal=bool(definition.get("shown_in_portal")),
        )

    @classmethod
    def of_form(cls, form: Form) -> FieldForm:
        label = str(form.get("label") or "").strip()
        key = str(form.get("key") or "").strip()
        return cls(
            key=key or _key_of(label),
            label=label,
            type=str(form.get("type") or ""),
            choices=str(form.get("choices") or ""),
            required=form.get("required") == "yes",
            shown_in_portal=form.get("shown_in_portal") == "yes",
        )

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def definition(self) -> dict[str, Any]:
        """The API's body of a new definition; choices typed for another type go too, and the
        API says they do not belong there."""
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "choices": self.choice_list() or None,
            "required": self.required,
            "shown_in_portal": self.shown_in_portal,
        }

    def changes(self) -> dict[str, Any]:
        """The API's PATCH: key and type are fixed once defined."""
        changes: dict[str, Any] = {
            "label": self.label,
            "required": self.required,
            "shown_in_portal": self.shown_in_portal,
        }
        if self.type == "choice":
            changes["choices"] = self.choice_list()
        return changes


def _key_of(label: str) -> str:
    """A key made from the label when none is typed: ``"VAT number"`` → ``vat_number``."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:64]
