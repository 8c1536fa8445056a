"""The purchase order aggregate: its lines and total, its status machine, its invoiced quantities.

Plain Python: no database, web or messaging imports. Changes record events in ``events``
(whole state, from ``shared.contracts.orders``); the unit of work writes them to the outbox.
A draft is the buyer's private work: nothing about it is published until it is submitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from orders.domain.changes import field_change, line_changes, revised_lines
from orders.domain.delivery import clean_delivery_address
from orders.domain.errors import (
    GoodsReceiptAlreadyReversed,
    GoodsReceiptNotFound,
    InvalidGoodsReceipt,
    InvalidPurchaseOrder,
    LinesAlreadyInvoiced,
    LinesAlreadyReceived,
    PurchaseOrderStateConflict,
)
from orders.domain.lines import LineInput, PurchaseOrderLine, price_lines
from orders.domain.read_models import ZERO, SupplierRecord
from orders.domain.receipts import GoodsReceipt, ReceiptLineInput, checked_lines, receipt_number
from orders.domain.status import Status
from orders.domain.terms import SupplierTerms, terms_warnings
from shared.contracts.base import EventPayload
from shared.contracts.orders import (
    GoodsReceiptRecorded,
    GoodsReceiptReversed,
    PartyDetails,
    PurchaseOrderAcknowledged,
    PurchaseOrderCanceled,
    PurchaseOrderChanged,
    PurchaseOrderClosed,
    PurchaseOrderInvoicingChanged,
    PurchaseOrderSnapshot,
    PurchaseOrderSubmitted,
    TermsWarning,
)
from shared.fields import values_of
from shared.taxes import TaxedDocument

FINAL_STATUSES = frozenset({Status.canceled, Status.closed})
# Only an order the supplier has received and that is still open follows its invoices.
INVOICEABLE_STATUSES = frozenset({Status.sent, Status.acknowledged, Status.partially_invoiced, Status.fully_invoiced})
# What the supplier still works on: sent and not yet fully invoiced, canceled or closed. The
# buyer may still change these (the delivery date always, the lines while nothing is invoiced).
OPEN_STATUSES = frozenset({Status.sent, Status.acknowledged, Status.partially_invoiced})
# Goods arrive, and receipts are reversed, while the supplier has the order and it is not finished.
RECEIVING_STATUSES = INVOICEABLE_STATUSES


def format_number(sequence: int) -> str:
    """The number a buyer sees: the tenant's counter, zero-padded ("PO-000001")."""
    return f"PO-{sequence:06d}"


@dataclass
class PurchaseOrder(TaxedDocument):
    id: UUID
    tenant_id: UUID
    number: str
    supplier_id: UUID
    supplier_name: str
    currency: str
    initiator_id: UUID
    lines: list[PurchaseOrderLine]
    created_at: datetime
    updated_at: datetime
    delivery_date: date | None = None
    status: Status = Status.draft
    submitted_at: datetime | None = None
    # Kept apart from the status: invoices hide it, and an order whose invoices drop out
    # goes back to "acknowledged", not "sent".
    acknowledged_at: datetime | None = None
    revision: int = 1
    # The revision the supplier's latest acknowledgement made, and the one the buyer's latest
    # change to the sent order made: a change after the acknowledgement is acknowledged again.
    acknowledged_revision: int | None = None
    changed_revision: int | None = None
    # The supplier's terms the order ignores, as of its submission or last change.
    warnings: list[TermsWarning] = field(default_factory=list)
    # Where the goods go; None: to the buyer's address.
    delivery_address: str | None = None
    # The buyer organisation's current name (a read model); not part of the order's own state.
    buyer_name: str | None = None
    # Likewise read as the order is loaded, from the organisation, the supplier and the user read
    # models: what the order's events and documents say of the parties, its initiator and its
    # payment terms (None where orders has not heard of it yet).
    buyer: PartyDetails | None = None
    supplier: PartyDetails | None = None
    initiator_name: str | None = None
    initiator_email: str | None = None
    payment_terms_days: int | None = None
    # The RFP whose awarded proposal this order was made from, if any.
    source_rfp_id: UUID | None = None
    # Invoices of this order are matched against its goods receipts too (three-way matching).
    match_against_receipts: bool = False
    events: list[EventPayload] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def draft(
        cls,
        *,
        number: str,
        supplier: SupplierRecord,
        currency: str,
        delivery_date: date | None,
        lines: Sequence[LineInput],
        initiator_id: UUID,
        now: datetime,
        source_rfp_id: UUID | None = None,
        delivery_address: str | None = None,
        match_against_receipts: bool = False,
    ) -> PurchaseOrder:
        if currency != supplier.currency:
            raise InvalidPurchaseOrder(
                f"the supplier invoices in {supplier.currency}; the order must use the same currency",
                errors=[{"field": "currency", "message": f"must be the supplier's currency {supplier.currency}"}],
            )
        return cls(
            id=uuid4(),
            tenant_id=supplier.tenant_id,
            number=number,
            supplier_id=supplier.supplier_id,
            supplier_name=supplier.name,
            currency=currency,
            initiator_id=initiator_id,
            lines=price_lines(lines, currency),
            delivery_date=delivery_date,
            delivery_address=clean_delivery_address(delivery_address) if delivery_address is not None else None,
            created_at=now,
            updated_at=now,
            source_rfp_id=source_rfp_id,
            match_against_receipts=match_against_receipts,
        )

    @property
    def published(self) -> bool:
        """Whether the order ever left the buyer (consumers know of it)."""
        return self.submitted_at is not None

    @property
    def change_unacknowledged(self) -> bool:
        """The buyer changed the order since the supplier acknowledged it, and it is still live.

        An order never acknowledged is not "changed since": its first acknowledgement covers
        every change made before it."""
        return (
            self.status not in FINAL_STATUSES
            and self.acknowledged_revision is not None
            and self.changed_revision is not None
            and self.changed_revision > self.acknowledged_revision
        )

    def may_be_managed_by(self, user_id: UUID, *, is_admin: bool) -> bool:
        """Editing, canceling and closing belong to the order's initiator and the buyer's admins."""
        return is_admin or user_id == self.initiator_id

    def revise_draft(
        self,
        *,
        now: datetime,
        delivery_date: date | None = None,
        lines: Sequence[LineInput] | None = None,
        delivery_address: str | None = None,
        match_against_receipts: bool | None = None,
    ) -> None:
        """``delivery_address``: None leaves it, an empty one clears it (the buyer's address)."""
        self._require(Status.draft, "edited")
        if lines is None and delivery_date is None and delivery_address is None and match_against_receipts is None:
            return
        if match_against_receipts is not None:
            self.match_against_receipts = match_against_receipts
        if lines is not None:
            self.lines = revised_lines(self.lines, lines, self.currency)
        if delivery_date is not None:
            self.delivery_date = delivery_date
        if delivery_address is not None:
            self.delivery_address = clean_delivery_address(delivery_address)
        self._touch(now)

    def change(
        self,
        *,
        now: datetime,
        delivery_date: date | None = None,
        lines: Sequence[LineInput] | None = None,
        terms: SupplierTerms | None = None,
        delivery_address: str | None = None,
        match_against_receipts: bool | None = None,
    ) -> None:
        """The buyer changes a sent order; the supplier is told each changed field.

        The delivery date and address may change while the order is open; the lines only while
        nothing is invoiced. The status stays: an acknowledged order remains acknowledged.
        ``delivery_address``: None leaves it, an empty one clears it (the buyer's address).
        """
        if self.status not in OPEN_STATUSES:
            raise PurchaseOrderStateConflict(f"purchase order {self.number} is {self.status}; it can no longer change")
        if lines is not None and any(line.invoiced_quantity > 0 for line in self.lines):
            raise LinesAlreadyInvoiced(self.number, [x.line_no for x in self.lines if x.invoiced_quantity > 0])
        changes = []
        if delivery_date is not None and delivery_date != self.delivery_date:
            changes.append(field_change("delivery_date", self.delivery_date, delivery_date))
            self.delivery_date = delivery_date
        if delivery_address is not None:
            address = clean_delivery_address(delivery_address)
            if address != self.delivery_address:
                changes.append(field_change("delivery_address", self.delivery_address, address))
                self.delivery_address = address
        if match_against_receipts is not None and match_against_receipts != self.match_against_receipts:
            # As JSON writes them: "false" → "true".
            changes.append(
                field_change(
                    "match_against_receipts",
                    str(self.match_against_receipts).lower(),
                    str(match_against_receipts).lower(),
                )
            )
            self.match_against_receipts = match_against_receipts
        if lines is not None:
            new_lines = self._keeping_receipts(revised_lines(self.lines, lines, self.currency))
            line_diff = line_changes(self.lines, new_lines)
            if line_diff:
                self.lines = new_lines
                changes += line_diff
        if not changes:
            return
        # The terms are held against what the supplier now receives, from the day it receives it.
        self.warnings = self._terms_warnings(terms, now)
        self._touch(now)
        self.changed_revision = self.revision
        self.events.append(PurchaseOrderChanged(**self._state(), changes=changes))

    def _keeping_receipts(self, new_lines: list[PurchaseOrderLine]) -> list[PurchaseOrderLine]:
        """The revised lines with what was received of them; refuses to drop a received line or to
        order it below what arrived."""
        revised = {line.id: line for line in new_lines}
        refused = []
        for line in self.lines:
            if line.received_quantity <= 0:
                continue
            kept = revised.get(line.id)
            if kept is None or kept.quantity < line.received_quantity:
                refused.append(line.line_no)
            else:
                kept.received_quantity = line.received_quantity
        if refused:
            raise LinesAlreadyReceived(self.number, refused)
        return new_lines

    def record_receipt(
        self,
        *,
        receipt_id: UUID,
        sequence: int,
        received_on: date,
        lines: Sequence[ReceiptLineInput],
        note: str | None,
        recorded_by: UUID,
        now: datetime,
    ) -> GoodsReceipt:
        """The buyer records what arrived; ``sequence`` is the receipt's place among the order's."""
        self._require_receiving("record goods receipts")
        if received_on > now.date():
            raise InvalidGoodsReceipt(
                "goods cannot be received in the future",
                errors=[
                    {"field": "received_on", "message": f"must not be after today ({now.date().isoformat()}, UTC)"}
                ],
            )
        receipt = GoodsReceipt(
            id=receipt_id,
            purchase_order_id=self.id,
            tenant_id=self.tenant_id,
            number=receipt_number(self.number, sequence),
            received_on=received_on,
            lines=checked_lines(self.lines, lines),
            recorded_by=recorded_by,
            recorded_at=now,
            note=note,
        )
        self._count_received(receipt, +1)
        self._touch(now)
        self.events.append(GoodsReceiptRecorded(**self._state(), receipt=receipt.state()))
        return receipt

    def reverse_receipt(self, receipt: GoodsReceipt, *, reversed_by: UUID, now: datetime) -> GoodsReceipt:
        """The receipt no longer counts: what it received is no longer received."""
        if receipt.purchase_order_id != self.id:
            raise GoodsReceiptNotFound()
        if not receipt.counts:
            raise GoodsReceiptAlreadyReversed(f"goods receipt {receipt.number} is already reversed")
        self._require_receiving("reverse goods receipts")
        reversed_receipt = receipt.reversed(reversed_by, now)
        self._count_received(receipt, -1)
        self._touch(now)
        self.events.append(GoodsReceiptReversed(**self._state(), receipt=reversed_receipt.state()))
        return reversed_receipt

    def _require_receiving(self, action: str) -> None:
        if self.status not in RECEIVING_STATUSES:
            raise PurchaseOrderStateConflict(
                f"purchase order {self.number} is {self.status}; one can {action} only for an order sent to the "
                "supplier and not canceled or closed"
            )

    def _count_received(self, receipt: GoodsReceipt, sign: int) -> None:
        by_id = {line.id: line for line in self.lines}
        for received in receipt.lines:
            line = by_id[received.purchase_order_line_id]
            line.received_quantity += sign * received.quantity

    def submit(self, now: datetime, terms: SupplierTerms | None = None) -> None:
        self._require(Status.draft, "submitted")
        self.status = Status.sent
        self.submitted_at = now
        self.warnings = self._terms_warnings(terms, now)
        self._touch(now)
        self.events.append(PurchaseOrderSubmitted(**self._state()))

    def _terms_warnings(self, terms: SupplierTerms | None, now: datetime) -> list[TermsWarning]:
        return terms_warnings(
            terms or SupplierTerms(),
            net_total=self.net_total,
            currency=self.currency,
            delivery_date=self.delivery_date,
            ordered_on=now.date(),
        )

    def acknowledge(self, now: datetime) -> None:
        """The supplier confirms the order as it now stands: a sent order once, then again after
        each change the buyer makes to it. Only the first acknowledgement moves the status (and
        sets ``acknowledged_at``); acknowledging a change keeps the status invoices gave it."""
        if self.status == Status.sent and self.acknowledged_at is None:
            self.status = Status.acknowledged
            self.acknowledged_at = now
        elif self.acknowledged_revision is not None and self.status not in FINAL_STATUSES:
            if not self.change_unacknowledged:
                raise PurchaseOrderStateConflict(
                    f"purchase order {self.number} is already acknowledged as it stands; "
                    "the buyer has not changed it since"
                )
        else:
            self._require(Status.sent, "acknowledged")
        self._touch(now)
        self.acknowledged_revision = self.revision
        self.events.append(PurchaseOrderAcknowledged(**self._state()))

    def cancel(self, now: datetime) -> None:
        self._finish(Status.canceled, now)
        if self.published:
            self.events.append(PurchaseOrderCanceled(**self._state()))

    def close(self, now: datetime) -> None:
        self._finish(Status.closed, now)
        if self.published:
            self.events.append(PurchaseOrderClosed(**self._state()))

    def apply_invoiced_quantities(self, invoiced: Mapping[UUID, Decimal], now: datetime) -> bool:
        """Take the quantities the live invoices bill per line; returns whether anything moved."""
        moved = False
        for line in self.lines:
            quantity = invoiced.get(line.id, ZERO)
            if quantity != line.invoiced_quantity:
                line.invoiced_quantity = quantity
                moved = True
        if not moved:
            return False
        if self.status in INVOICEABLE_STATUSES:
            self.status = self._invoicing_status()
        self._touch(now)
        if self.published:
            self.events.append(PurchaseOrderInvoicingChanged(**self._state()))
        return True

    def _invoicing_status(self) -> Status:
        if all(line.fully_invoiced for line in self.lines):
            return Status.fully_invoiced
        if any(line.invoiced_quantity > 0 for line in self.lines):
            return Status.partially_invoiced
        return Status.acknowledged if self.acknowledged_at is not None else Status.sent

    def _finish(self, status: Status, now: datetime) -> None:
        if self.status in FINAL_STATUSES:
            raise PurchaseOrderStateConflict(f"purchase order {self.number} is already {self.status}")
        self.status = status
        self._touch(now)

    def _require(self, status: Status, action: str) -> None:
        if self.status != status:
            raise PurchaseOrderStateConflict(
                f"purchase order {self.number} is {self.status}; only a {status} order can be {action}"
            )

    def _touch(self, now: datetime) -> None:
        self.revision += 1
        self.updated_at = now

    def _state(self) -> dict[str, Any]:
        return values_of(
            PurchaseOrderSnapshot.model_fields,
            self,
            purchase_order_id=self.id,
            lines=[line.state() for line in self.lines],
            warnings=list(self.warnings),
        )

    def snapshot(self) -> PurchaseOrderSnapshot:
        """The whole current state, as events carry it (the PDF export renders this)."""
        return PurchaseOrderSnapshot(**self._state())
