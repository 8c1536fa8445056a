"""Request and response bodies of the supplier custom field definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from suppliers.domain.custom_fields import MAX_KEY_LENGTH, CustomFieldDefinition, FieldType


class CustomFieldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_KEY_LENGTH, examples=["payment_terms"])
    label: str = Field(min_length=1, max_length=200)
    type: FieldType
    choices: list[str] | None = Field(None, description="required and non-empty for a choice field")
    required: bool = False
    shown_in_portal: bool = False


class CustomFieldPatch(BaseModel):
    """Key and type are fixed once defined (sending them is a 422)."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, min_length=1, max_length=200)
    choices: list[str] | None = None
    required: bool | None = None
    shown_in_portal: bool | None = None

    def changes(self) -> dict[str, Any]:
        # A null leaves the setting as it is.
        return {name: getattr(self, name) for name in self.model_fields_set if getattr(self, name) is not None}


class CustomFieldOut(BaseModel):
    key: str
    label: str
    type: str
    choices: list[str]
    required: bool
    shown_in_portal: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, field: CustomFieldDefinition) -> CustomFieldOut:
        return cls(
            key=field.key,
            label=field.label,
            type=field.type,
            choices=list(field.choices),
            required=field.required,
            shown_in_portal=field.shown_in_portal,
            created_at=field.created_at,
            updated_at=field.updated_at,
        )


class PortalCustomFieldOut(BaseModel):
    """A custom field as the supplier's portal shows it: how to label, type and check its value."""

    key: str
    label: str
    type: FieldType
    choices: list[str] = Field(description="the allowed values of a choice field; empty for the other types")
    required: bool = Field(description="the buyer's record needs a value")

    @classmethod
    def of(cls, field: CustomFieldDefinition) -> PortalCustomFieldOut:
        return cls(
            key=field.key, label=field.label, type=field.type, choices=list(field.choices), required=field.required
        )


class CustomFieldPage(BaseModel):
    items: list[CustomFieldOut]
    next_cursor: str | None = None
