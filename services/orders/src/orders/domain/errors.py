"""Errors of the purchase order rules; ``shared.problems`` maps their bases to problem details."""

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


class PurchaseOrderNotFound(NotFound):
    default_detail = "purchase order not found"


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


class LinesAlreadyInvoiced(PurchaseOrderStateConflict):
    """Invoices bill the order's lines by id and quantity: once any is billed, lines stay put."""

    def __init__(self, number: str, invoiced_line_nos: list[int]) -> None:
        listed = ", ".join(str(n) for n in invoiced_line_nos)
        super().__init__(
            f"the lines of purchase order {number} can no longer change: line(s) {listed} are already invoiced; "
            "only the delivery date can still change"
        )


class AttachmentNotFound(NotFound):
    default_detail = "attachment not found"


class UnsupportedExportFormat(InvalidInput):
    def __init__(self, requested: str) -> None:
        super().__init__(
            f"unsupported format {requested!r}: purchase orders export as pdf or xlsx",
            errors=[{"field": "format", "message": "unsupported format; use pdf or xlsx"}],
        )


class InvoiceOfAnotherTenant(InvalidInput):
    """An invoice event that names an order of another tenant: never applied, dead-lettered."""


class InvalidGoodsReceipt(InvalidInput):
    pass


class GoodsReceiptNotFound(NotFound):
    default_detail = "goods receipt not found"


class GoodsReceiptAlreadyReversed(Conflict):
    pass


class LinesAlreadyReceived(PurchaseOrderStateConflict):
    """Receipts name the order's lines by id and count against their ordered quantity: a received
    line stays, and is not ordered below what arrived of it."""

    def __init__(self, number: str, line_nos: list[int]) -> None:
        listed = ", ".join(str(n) for n in line_nos)
        super().__init__(
            f"purchase order {number}: line(s) {listed} already have goods received; such a line stays on the "
            "order and is not ordered below what was received (reverse the receipt first)"
        )
