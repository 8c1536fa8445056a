"""Errors of the supplier rules."""

from __future__ import annotations

from shared.errors import Conflict, InvalidInput, NotFound


class SupplierNotFound(NotFound):
    default_detail = "supplier not found"


class PortalProfileNotFound(NotFound):
    default_detail = "portal profile not found"


class CustomFieldNotFound(NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"custom field {key!r} not found")


class InvalidSupplier(InvalidInput):
    pass


class InvalidCustomFieldDefinition(InvalidInput):
    pass


class InvalidCustomField(InvalidInput):
    """Custom field values that do not fit their definitions; each error names ``custom_fields.<key>``."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "custom fields do not fit their definitions",
            errors=[{"field": field, "message": message} for field, message in problems],
        )


class PortalStateConflict(Conflict):
    pass


class CustomFieldExists(Conflict):
    def __init__(self, key: str) -> None:
        super().__init__(f"a custom field {key!r} is already defined")


class SupplierPortalSwitchedOff(PortalStateConflict):
    def __init__(self) -> None:
        super().__init__(
            "the supplier portal is switched off for your organisation; switch it on in the settings first"
        )
