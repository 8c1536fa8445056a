"""Errors of the supplier rules."""

from shared.errors import Conflict, InvalidInput, NotFound


class SupplierNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("supplier not found")


class InvalidSupplier(InvalidInput):
    pass


class PortalStateConflict(Conflict):
    pass
