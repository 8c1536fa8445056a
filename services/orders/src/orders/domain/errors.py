"""Errors of the purchase order rules; ``shared.problems`` maps their bases to problem details."""

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


class PurchaseOrderNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("purchase order not found")


class InvalidPurchaseOrder(InvalidInput):
    pass


class UnknownSupplier(InvalidPurchaseOrder):
    def __init__(self) -> None:
        # The supplier's record reaches orders through an event: right after it was created
        # it may not be here yet, so the detail says that a retry can help.
        super().__init__(
            "unknown supplier: it is not a supplier of your organisation, or it was created a moment ago "
            "and has not reached purchase orders yet; try again shortly",
            errors=[{"field": "supplier_id", "message": "unknown supplier"}],
        )


class PurchaseOrderStateConflict(Conflict):
    pass


class PurchaseOrderActionForbidden(Forbidden):
    pass


class UnsupportedExportFormat(InvalidInput):
    def __init__(self, requested: str) -> None:
        super().__init__(
            f"unsupported format {requested!r}: purchase orders export as pdf",
            errors=[{"field": "format", "message": "unsupported format; use pdf"}],
        )


class InvoiceOfAnotherTenant(InvalidInput):
    """An invoice event that names an order of another tenant: never applied, dead-lettered."""
