"""Errors of the supplier rules."""

from __future__ import annotations

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


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


class TermsNeedTheAdmin(Forbidden):
    """A buyer user set a term that only a buyer admin sets; each error names one such field."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            f"only a buyer admin may set a supplier's {', '.join(fields)}",
            errors=[{"field": name, "message": "only a buyer admin may set this"} for name in fields],
        )
