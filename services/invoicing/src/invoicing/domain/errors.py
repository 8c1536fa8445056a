"""Errors of the invoicing rules; each maps to one problem type at the edge."""

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


class InvoiceNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("invoice not found")


class PurchaseOrderNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("purchase order not found")


class InvalidInvoice(InvalidInput):
    pass


class PurchaseOrderNotInvoiceable(Conflict):
    """The purchase order is not (or no longer) open for invoices."""


class DuplicateInvoiceNumber(Conflict):
    def __init__(self, number: str) -> None:
        super().__init__(f"the supplier already has an invoice numbered {number!r}")


class InvoiceStateConflict(Conflict):
    """The invoice's status does not allow this action."""


class PaymentExceedsTotal(Conflict):
    pass


class NotAllowed(Forbidden):
    """The caller can see the invoice but may not act on it."""


class SupplierPortalSwitchedOff(Forbidden):
    """The buyer switched its supplier portal off: supplier users may not change invoices."""

    def __init__(self) -> None:
        super().__init__(
            "the buyer has switched the supplier portal off; invoices for this buyer cannot be created,"
            " edited, submitted or canceled by the supplier while it is off"
        )


class IssueDateRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "the buyer requires an issue date on every invoice; set issue_date before submitting",
            errors=[{"field": "issue_date", "message": "required by the buyer"}],
        )


class InvalidComment(InvalidInput):
    pass
