"""Matching cost: how long the matching rules take for invoices of 1 to 10,000 lines.

Times what the matching consumer does between loading the documents and saving the result:
``match_invoice`` (the verdict with its line report) and ``Verdict.issue`` (the event that
publishes it), on a purchase order matched against its goods receipts and an invoice of the same
number of lines, after an approved invoice of a third of the lines and a credit note on it, in
process and without I/O. Each size is timed several times and the median is kept; small sizes call the
function in a loop per sample so that a sample is long enough for the clock.

The figure that matters is the time per line: it must stay flat from 10 to 10,000 lines
(``linearity`` = time per line at 10,000 ÷ time per line at 10).
"""

from __future__ import annotations

import gc
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from matching.domain.matching import match_invoice
from matching.domain.model import Invoice, InvoiceLine, OrderLine, PurchaseOrder, TolerancePolicy
from shared.money import line_net

SIZES: tuple[int, ...] = (1, 10, 100, 999, 10_000)
TARGET_MS_AT_10000 = 100.0
# Time per line at the largest size may be at most this multiple of the time per line at 10.
LINEARITY_LIMIT = 2.0
TOLERANCE = TolerancePolicy(rate=Decimal(5), amount=Decimal(1000))
TENANT = uuid.UUID("00000000-0000-0000-0000-0000000000b1")
SUPPLIER = uuid.UUID("00000000-0000-0000-0000-0000000000b2")
# Lines per sample for small sizes: a sample of a 1-line invoice calls the rules this many times.
_LINES_PER_SAMPLE = 2_000


def documents(lines: int, *, seed: int = 0) -> tuple[PurchaseOrder, Invoice]:
    """A sent PO of ``lines`` lines and an invoice that bills each of them once.

    The invoice lines arrive shuffled; every tenth bills a changed price and every seventh a
    smaller quantity, so the line report has something to say. Deterministic for one seed.
    """
    if lines < 1:
        raise ValueError("a document has at least one line")
    rng = random.Random(seed)
    order_lines = tuple(_order_line(no, uuid.UUID(int=rng.getrandbits(128))) for no in range(1, lines + 1))
    po = PurchaseOrder(
        id=uuid.UUID(int=rng.getrandbits(128)),
        tenant_id=TENANT,
        supplier_id=SUPPLIER,
        currency="EUR",
        status="sent",
        net_total=sum((line.net_amount for line in order_lines), Decimal(0)),
        lines=order_lines,
        revision=1,
        match_against_receipts=True,
    )
    billed = list(order_lines)
    rng.shuffle(billed)
    invoice_lines = []
    for no, ordered in enumerate(billed, start=1):
        quantity = ordered.quantity - 1 if no % 7 == 0 and ordered.quantity > 1 else ordered.quantity
        unit_price = ordered.unit_price + Decimal("0.01") if no % 10 == 0 else ordered.unit_price
        invoice_lines.append(
            InvoiceLine(
                line_id=uuid.UUID(int=rng.getrandbits(128)),
                line_no=no,
                purchase_order_line_id=ordered.line_id,
                description=ordered.description,
                quantity=quantity,
                unit_price=unit_price,
                net_amount=line_net(quantity, unit_price, "EUR"),
            )
        )
    invoice = Invoice(
        id=uuid.UUID(int=rng.getrandbits(128)),
        tenant_id=TENANT,
        purchase_order_id=po.id,
        status="matching",
        submission=1,
        net_total=sum((line.net_amount for line in invoice_lines), Decimal(0)),
        lines=tuple(invoice_lines),
        revision=1,
    )
    return po, invoice


def _order_line(no: int, line_id: uuid.UUID) -> OrderLine:
    quantity = Decimal(1 + no % 17)
    unit_price = Decimal(100 + no % 997) / 100
    # Every eleventh line has arrived in part only, so the receipts have something to say.
    received = quantity - 1 if no % 11 == 0 else quantity
    net = line_net(quantity, unit_price, "EUR")
    return OrderLine(line_id, no, f"item {no}", quantity, unit_price, net, received_quantity=received)


def earlier_documents(po: PurchaseOrder) -> list[Invoice]:
    """An approved invoice of one unit of every third PO line, and an approved credit note giving
    back every other of its lines: what the PO's earlier billing and credits add to the work."""
    rng = random.Random(po.id.int)
    billed = [
        InvoiceLine(
            uuid.UUID(int=rng.getrandbits(128)), no, line.line_id, line.description, Decimal(1), line.unit_price,
            line_net(Decimal(1), line.unit_price, "EUR"),
        )
        for no, line in enumerate(po.lines[::3], start=1)
    ]  # fmt: skip
    credited = [
        InvoiceLine(
            uuid.UUID(int=rng.getrandbits(128)), no, line.purchase_order_line_id, line.description, Decimal(1),
            line.unit_price, line.net_amount, credited_line_id=line.line_id,
        )
        for no, line in enumerate(billed[::2], start=1)
    ]  # fmt: skip
    first = _document(rng, po, billed, status="approved")
    credit = _document(rng, po, credited, status="approved", kind="credit_note", credited_invoice_id=first.id)
    return [first, credit]


def _document(rng: random.Random, po: PurchaseOrder, lines: list[InvoiceLine], **kwargs: Any) -> Invoice:
    return Invoice(
        id=uuid.UUID(int=rng.getrandbits(128)),
        tenant_id=TENANT,
        purchase_order_id=po.id,
        submission=1,
        net_total=sum((line.net_amount for line in lines), Decimal(0)),
        lines=tuple(lines),
        revision=1,
        supplier_id=SUPPLIER,
        **kwargs,
    )


def linearity(per_line_us: dict[int, float], *, low: int = 10, high: int = 10_000) -> float:
    """Time per line at ``high`` lines ÷ time per line at ``low`` lines (1.0 = perfectly linear)."""
    if per_line_us[low] <= 0:
        raise ValueError(f"no time measured at {low} lines")
    return per_line_us[high] / per_line_us[low]


def is_linear(
    per_line_us: dict[int, float], *, low: int = 10, high: int = 10_000, limit: float = LINEARITY_LIMIT
) -> bool:
    """Whether the time per line at ``high`` stays within ``limit`` times that at ``low``."""
    return linearity(per_line_us, low=low, high=high) <= limit


def median_seconds(call: Callable[[], object], *, repeats: int, number: int) -> float:
    """Median over ``repeats`` samples of the time of one call, each sample ``number`` calls."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(number):
            call()
        samples.append((time.perf_counter() - started) / number)
    return statistics.median(samples)


def measure(lines: int, *, repeats: int) -> dict[str, Any]:
    """Median times of the verdict and of verdict + event for one size."""
    po, invoice = documents(lines)
    earlier = earlier_documents(po)
    gc.collect()  # every size starts from the same collector state
    number = max(1, _LINES_PER_SAMPLE // lines)
    issued_at = datetime.now(UTC)
    verdict_id = uuid.uuid4()

    def verdict() -> object:
        return match_invoice(po, earlier, invoice, TOLERANCE)

    def verdict_and_event() -> object:
        return verdict_and_event_of(po, earlier, invoice, verdict_id, issued_at)

    verdict()  # warm up
    match_s = median_seconds(verdict, repeats=repeats, number=number)
    total_s = median_seconds(verdict_and_event, repeats=repeats, number=number)
    return {
        "lines": lines,
        "samples": repeats,
        "match_ms": round(match_s * 1e3, 4),
        "match_us_per_line": round(match_s * 1e6 / lines, 3),
        "match_and_event_ms": round(total_s * 1e3, 4),
        "match_and_event_us_per_line": round(total_s * 1e6 / lines, 3),
    }


def verdict_and_event_of(
    po: PurchaseOrder, earlier: list[Invoice], invoice: Invoice, verdict_id: uuid.UUID, issued_at: datetime
) -> object:
    """What the matching consumer computes for one submission: the verdict and its event."""
    return match_invoice(po, earlier, invoice, TOLERANCE).issue(
        verdict_id=verdict_id, tenant_id=po.tenant_id, issued_at=issued_at
    )


def run(quick: bool) -> dict[str, Any]:
    """Every size, the time per line, the linearity and whether the targets are met."""
    repeats = 5 if quick else 21
    sizes = [measure(lines, repeats=repeats) for lines in SIZES]
    by_lines = {row["lines"]: row for row in sizes}
    match_per_line = {n: row["match_us_per_line"] for n, row in by_lines.items()}
    match_linearity = linearity(match_per_line)
    total_linearity = linearity({n: row["match_and_event_us_per_line"] for n, row in by_lines.items()})
    largest = by_lines[max(SIZES)]
    return {
        "sizes": sizes,
        # The matching rules alone (match_invoice), then with the event that publishes the verdict.
        "ms_at_10000": largest["match_ms"],
        "ms_at_10000_with_event": largest["match_and_event_ms"],
        "linearity": round(match_linearity, 3),
        "linearity_with_event": round(total_linearity, 3),
        "targets": {"ms_at_10000": TARGET_MS_AT_10000, "linearity_max": LINEARITY_LIMIT},
        "met": {
            "ms_at_10000": largest["match_ms"] <= TARGET_MS_AT_10000,
            "linear": is_linear(match_per_line),
        },
    }
