"""What matching decides on: read models of purchase orders, invoices and tolerances.

Plain Python and ``Decimal``: no database, web or messaging imports. The read models are built
from the whole-state snapshots other services publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from shared.contracts.identity import OrganisationSettingsChanged
from shared.contracts.invoicing import CREDITING_STATUSES, LIVE_INVOICE_STATUSES, InvoiceKind, InvoiceSnapshot
from shared.contracts.orders import PurchaseOrderSnapshot
from shared.contracts.suppliers import SupplierSnapshot
from shared.fields import made_of

# A PO can be invoiced while it is out with the supplier. Canceled and closed are what the
# rules name; a draft never reached the supplier, so an invoice against it is just as suspect.
OPEN_ORDER_STATUSES: frozenset[str] = frozenset({"sent", "acknowledged", "partially_invoiced", "fully_invoiced"})


@dataclass(frozen=True)
class OrderLine:
    line_id: UUID
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    tax_rate: Decimal = Decimal(0)
    # What the goods receipts (not reversed) say arrived of the line.
    received_quantity: Decimal = Decimal(0)


@dataclass(frozen=True)
class PurchaseOrder:
    id: UUID
    tenant_id: UUID
    supplier_id: UUID
    currency: str
    status: str
    net_total: Decimal
    lines: tuple[OrderLine, ...]
    revision: int
    # Three-way matching: its invoices are matched against its goods receipts too.
    match_against_receipts: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ORDER_STATUSES

    @classmethod
    def of(cls, snapshot: PurchaseOrderSnapshot) -> PurchaseOrder:
        lines = tuple(made_of(OrderLine, line) for line in snapshot.lines)
        return made_of(cls, snapshot, id=snapshot.purchase_order_id, lines=lines)


@dataclass(frozen=True)
class InvoiceLine:
    line_id: UUID
    line_no: int
    purchase_order_line_id: UUID | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    # A credit note's line: the line of the credited invoice it gives back.
    credited_line_id: UUID | None = None
    tax_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class Invoice:
    """An invoice, or a credit note (``kind``) of one of the PO's invoices (``credited_invoice_id``)."""

    id: UUID
    tenant_id: UUID
    purchase_order_id: UUID
    status: str
    submission: int
    net_total: Decimal
    lines: tuple[InvoiceLine, ...]
    revision: int
    kind: InvoiceKind = "invoice"
    credited_invoice_id: UUID | None = None
    # What a possible duplicate is recognised by (MATCHING.md, ``possible_duplicate``).
    supplier_id: UUID | None = None
    number: str = ""
    issue_date: date | None = None
    gross_total: Decimal | None = None

    @property
    def number_key(self) -> str:
        """The number as duplicates compare it: without case, spaces or punctuation."""
        return number_key(self.number)

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def is_live(self) -> bool:
        """Counts as submitted and not withdrawn: matching, pending or approved (paid or not)."""
        return self.status in LIVE_INVOICE_STATUSES

    @property
    def bills(self) -> bool:
        """A live invoice: it claims its lines of the order."""
        return not self.is_credit_note and self.is_live

    @property
    def gives_back(self) -> bool:
        """An approved credit note: its quantities and net come off what the order's invoices bill."""
        return self.is_credit_note and self.status in CREDITING_STATUSES

    @classmethod
    def of(cls, snapshot: InvoiceSnapshot) -> Invoice:
        lines = tuple(made_of(InvoiceLine, line) for line in snapshot.lines)
        return made_of(cls, snapshot, id=snapshot.invoice_id, lines=lines)


def number_key(number: str) -> str:
    """``INV-2024/001``, ``inv 2024 001`` and ``Inv.2024.001`` are one number: letters and digits
    only, case folded."""
    return "".join(char for char in number.casefold() if char.isalnum())


@dataclass(frozen=True)
class TolerancePolicy:
    """A tolerance rate (percent of the PO's net total) and a tolerance amount (in the PO's
    currency); either may be absent. Neither: the policy is not set (the organisation's applies)."""

    rate: Decimal | None = None
    amount: Decimal | None = None

    @property
    def is_set(self) -> bool:
        return self.rate is not None or self.amount is not None

    def or_else(self, default: TolerancePolicy) -> TolerancePolicy:
        """This policy where set, else ``default`` (a supplier's own, else its organisation's)."""
        return self if self.is_set else default


@dataclass(frozen=True)
class SupplierTolerance:
    """The buyer's tolerance for one supplier; not set: the organisation's defaults apply."""

    supplier_id: UUID
    tenant_id: UUID
    policy: TolerancePolicy
    revision: int

    @classmethod
    def of(cls, snapshot: SupplierSnapshot) -> SupplierTolerance:
        # Events written before tolerance amounts carry the supplier's own rate alone.
        own = snapshot.tolerance
        policy = TolerancePolicy(snapshot.tolerance_rate) if own is None else TolerancePolicy(own.rate, own.amount)
        return cls(snapshot.supplier_id, snapshot.tenant_id, policy, snapshot.revision)


@dataclass(frozen=True)
class OrganisationTolerance:
    """The organisation's default tolerance, for suppliers without one of their own."""

    tenant_id: UUID
    policy: TolerancePolicy
    revision: int

    @classmethod
    def of(cls, event: OrganisationSettingsChanged) -> OrganisationTolerance:
        policy = TolerancePolicy(event.default_tolerance_rate, event.default_tolerance_amount)
        return cls(event.tenant_id, policy, event.revision)


# An organisation whose settings matching has not heard of: rate 0, no amount (MATCHING.md).
DEFAULT_TOLERANCE = TolerancePolicy(rate=Decimal(0))
