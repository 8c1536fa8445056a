"""Errors of the invoicing rules; each maps to one problem type at the edge."""

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


class InvoiceNotFound(NotFound):
    default_detail = "invoice not found"


class PurchaseOrderNotFound(NotFound):
    default_detail = "purchase order not found"


class PurchaseOrderNotHereYet(DomainError):
    """The purchase order is not known here yet and too many requests are waiting for theirs to
    wait for it too: answered 503 with Retry-After, since asking again shortly may succeed."""

    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"

    def __init__(self, *, retry_after_s: int) -> None:
        super().__init__(
            "the purchase order is not known to invoicing yet and it cannot wait for it now; try again shortly"
        )
        self.retry_after_s = retry_after_s


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


class BeyondWhatRemains(InvalidInput):
    """While the buyer's supplier portal is off, a supplier invoices only what is still owed."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(
            "the buyer has switched its supplier portal off: an invoice may bill only the order's lines,"
            " each for no more than remains to invoice on it",
            errors=errors,
        )


class IssueDateRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "the buyer requires an issue date on every invoice; set issue_date before submitting",
            errors=[{"field": "issue_date", "message": "required by the buyer"}],
        )


class InvalidComment(InvalidInput):
    pass
