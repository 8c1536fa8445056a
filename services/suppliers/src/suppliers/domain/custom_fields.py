"""Supplier custom fields: the buyer's definitions per tenant and the checks on their values.

Values are kept JSON-safe and normalised: text and choice as given, a number as a decimal
string (never a float), a date as an ISO ``YYYY-MM-DD`` string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args
from uuid import UUID, uuid4

from suppliers.domain.errors import InvalidCustomField, InvalidCustomFieldDefinition
from suppliers.domain.sync import custom_path

FieldType = Literal["text", "number", "date", "choice"]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")
MAX_KEY_LENGTH = 64
MAX_TEXT_LENGTH = 2000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _refuse(field: str, message: str) -> InvalidCustomFieldDefinition:
    return InvalidCustomFieldDefinition(message, errors=[{"field": field, "message": message}])


def _checked_choices(field_type: str, choices: Iterable[str] | None) -> tuple[str, ...]:
    listed = tuple(choices or ())
    if field_type != "choice":
        if listed:
            raise _refuse("choices", "only a choice field has choices")
        return ()
    if not listed:
        raise _refuse("choices", "a choice field needs at least one choice")
    if any(not c.strip() for c in listed) or len(set(listed)) != len(listed):
        raise _refuse("choices", "choices must be distinct and not blank")
    return listed


@dataclass(frozen=True)
class CustomFieldDefinition:
    id: UUID
    tenant_id: UUID
    key: str
    label: str
    type: str
    choices: tuple[str, ...]
    required: bool
    shown_in_portal: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def define(
        cls,
        *,
        tenant_id: UUID,
        key: str,
        label: str,
        type: str,
        now: datetime,
        choices: Iterable[str] | None = None,
        required: bool = False,
        shown_in_portal: bool = False,
    ) -> CustomFieldDefinition:
        if len(key) > MAX_KEY_LENGTH or not KEY_PATTERN.match(key):
            raise _refuse("key", "a slug: lower-case letters, digits, '-' or '_', starting with a letter")
        if type not in FIELD_TYPES:
            raise _refuse("type", f"one of {', '.join(FIELD_TYPES)}")
        return cls(
            id=uuid4(),
            tenant_id=tenant_id,
            key=key,
            label=label,
            type=type,
            choices=_checked_choices(type, choices),
            required=required,
            shown_in_portal=shown_in_portal,
            created_at=now,
            updated_at=now,
        )

    def changed(self, changes: Mapping[str, Any], now: datetime) -> CustomFieldDefinition:
        """The definition with the buyer's changes (label, choices, required, shown_in_portal)."""
        updates = dict(changes)
        if "choices" in updates:
            updates["choices"] = _checked_choices(self.type, updates["choices"])
        return replace(self, **updates, updated_at=now)

    def normalise(self, value: Any) -> Any:
        """The value as stored; ``ValueError`` says why it does not fit this field's type."""
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                raise ValueError("must be a decimal number")
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                raise ValueError("must be a decimal number") from None
            if not number.is_finite():
                raise ValueError("must be a finite decimal number")
            return str(number)
        if not isinstance(value, str):
            raise ValueError(f"must be a {'string' if self.type != 'date' else 'date string'}")
        if self.type == "date":
            try:
                if not _ISO_DATE.match(value):
                    raise ValueError
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise ValueError("must be an ISO date (YYYY-MM-DD)") from None
        if self.type == "choice" and value not in self.choices:
            raise ValueError(f"must be one of: {', '.join(self.choices)}")
        if len(value) > MAX_TEXT_LENGTH:
            raise ValueError(f"at most {MAX_TEXT_LENGTH} characters")
        return value


class CustomFieldCatalog:
    """One tenant's definitions, in the order given (the buyer's listing order when loaded):
    checks and merges the values either side sends."""

    def __init__(self, definitions: Iterable[CustomFieldDefinition] = ()) -> None:
        self.definitions = {d.key: d for d in definitions}
        # What the supplier sees of the definitions, and may edit: the ones shown in the portal.
        self.shown_definitions = tuple(d for d in self.definitions.values() if d.shown_in_portal)
        self.shown_keys = frozenset(d.key for d in self.shown_definitions)

    def shown(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The values the supplier may see."""
        return {k: v for k, v in values.items() if k in self.shown_keys}

    def buyer_values(self, current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
        """``current`` merged with the buyer's ``patch`` (a null removes a value), every required one present."""
        merged = self._merge(current, patch, self.definitions.keys())
        self.check_required(merged)
        return merged

    def supplier_values(self, current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
        """``current`` merged with the supplier's ``patch``: only fields shown in the portal may be in it."""
        return self._merge(current, patch, self.shown_keys)

    def check_required(self, values: Mapping[str, Any]) -> None:
        missing = [k for k, d in sorted(self.definitions.items()) if d.required and values.get(k) in (None, "")]
        if missing:
            raise InvalidCustomField([(custom_path(k), "is required") for k in missing])

    def _merge(self, current: Mapping[str, Any], patch: Mapping[str, Any], editable: Iterable[str]) -> dict[str, Any]:
        allowed = set(editable)
        merged, problems = dict(current), []
        for key, value in patch.items():
            if key not in allowed:
                problems.append((custom_path(key), "no such custom field"))
            elif value is None:
                merged.pop(key, None)
            else:
                try:
                    merged[key] = self.definitions[key].normalise(value)
                except ValueError as exc:
                    problems.append((custom_path(key), str(exc)))
        if problems:
            raise InvalidCustomField(problems)
        return merged
