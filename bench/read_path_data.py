"""The rows the read-path benchmark loads, made one block of suppliers at a time.

Purchase orders with their lines, the invoicing service's read model of each order a supplier
has seen, invoices with their lines and payments, and the two services' read models of the
suppliers: everything of one supplier is made together (its orders, then its invoices, which
bill lines of its own orders, then its order lines, whose invoiced quantities those invoices
decide), so a block of whole suppliers is a self-contained part of the bulk (``chunks``). The
rows come from one random sequence, supplier after supplier, so they are the same whatever the
size of the blocks, and only one block at a time is held: the benchmark loads a million orders
without keeping them.

Every row is a tuple in the column order of ``COLUMNS``. The measured supplier is supplier 0,
with ``MEASURED_SHARE`` of every document; the others share the rest. Statuses follow a
realistic mix, totals are the sums of the line nets, an invoice comes after its order, and the
live invoices count in their order lines' invoiced quantities.
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from asyncpg.pgproto import pgproto

from shared.contracts.invoicing import LIVE_INVOICE_STATUSES
from shared.money import quantum

# The measured supplier is one of the buyer's big ones: this share of all orders and invoices.
MEASURED_SHARE = 0.02
CURRENCY = "EUR"
# Every line of the generated data is taxed alike: the read path does not depend on the rate.
TAX_RATE = Decimal(20)
# A block of suppliers is cut once its orders reach this many (a supplier is never split).
CHUNK_ORDERS = 10_000

# Realistic mixes, as weights (they need not sum to 1).
PO_STATUSES: dict[str, float] = {
    "draft": 0.04,
    "sent": 0.12,
    "acknowledged": 0.18,
    "partially_invoiced": 0.16,
    "fully_invoiced": 0.30,
    "closed": 0.15,
    "canceled": 0.05,
}
INVOICE_STATUSES: dict[str, float] = {
    "draft": 0.04,
    "pending": 0.08,
    "approved": 0.25,
    "rejected": 0.04,
    "canceled": 0.03,
    "partly_paid": 0.06,
    "paid": 0.50,
}
INVOICEABLE = ("sent", "acknowledged", "partially_invoiced", "fully_invoiced", "closed")

COLUMNS: dict[str, tuple[str, ...]] = {
    "orders.purchase_orders": (
        "id", "tenant_id", "number", "supplier_id", "supplier_name", "currency", "delivery_date", "status",
        "initiator_id", "net_total", "created_at", "updated_at", "submitted_at", "acknowledged_at", "revision",
        "tax_total", "gross_total",
    ),
    "orders.purchase_order_lines": (
        "id", "purchase_order_id", "line_no", "sku", "description", "unit", "quantity", "unit_price", "net_amount",
        "invoiced_quantity", "tax_rate", "tax_amount",
    ),
    "orders.suppliers": ("id", "tenant_id", "name", "currency", "portal_status", "revision"),
    "invoicing.invoices": (
        "id", "tenant_id", "supplier_id", "purchase_order_id", "purchase_order_number", "number", "issue_date",
        "currency", "status", "net_total", "submission", "submitted_at", "approver_id", "rejection_reason",
        "revision", "created_at", "updated_at", "initiator_id", "created_by_buyer", "tax_total", "gross_total",
        "balance_due",
    ),
    "invoicing.invoice_lines": (
        "id", "invoice_id", "line_no", "purchase_order_line_id", "description", "quantity", "unit_price", "net_amount",
        "tax_rate", "tax_amount",
    ),
    "invoicing.payments": ("id", "invoice_id", "amount", "paid_at"),
    "invoicing.purchase_orders": (
        "id", "tenant_id", "supplier_id", "number", "currency", "status", "initiator_id", "lines", "revision",
        "updated_at", "supplier_name", "delivery_date",
    ),
    "invoicing.suppliers": ("id", "tenant_id", "name", "revision"),
}  # fmt: skip

# Two years of history, newest first in every list.
HISTORY = timedelta(days=2 * 365)
_HISTORY_S = int(HISTORY.total_seconds())
_CENT = quantum(CURRENCY)
# ``line_tax`` of a net amount in cents: ``TAX_RATE`` percent of it, rounded half-up to the cent.
_TAX_SHARE = TAX_RATE / 100
# Whole quantities of 1 to 49 are ordered at unit prices of 1.00 to 999.99: both made once, as
# every line takes one of each.
_ORDERED = 49
_QUANTITIES = [Decimal(n) for n in range(_ORDERED + 1)]
_PRICES = [Decimal(cents).scaleb(-2) for cents in range(100, 100_000)]
_ZERO = Decimal(0)
_SUBMITTED_AFTER, _ACKNOWLEDGED_AFTER = timedelta(minutes=5), timedelta(hours=4)
_DELIVERED_AFTER, _INVOICE_SUBMITTED_AFTER, _PAID_AFTER = timedelta(days=30), timedelta(minutes=1), timedelta(days=20)


@dataclass
class Dataset:
    """Rows per table (``"orders.purchase_orders"`` ...), in the column order of ``COLUMNS``."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows.setdefault(table, []).append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))

    def extend(self, other: Dataset) -> None:
        """Every row of ``other`` after this one's, table by table."""
        for table, rows in other.rows.items():
            self.rows.setdefault(table, []).extend(rows)


def shares(total: int, suppliers: int, measured_share: float = MEASURED_SHARE) -> list[int]:
    """How many documents each supplier gets: the measured one (first) its share, the others
    the rest as evenly as whole numbers allow, every supplier at least one."""
    if suppliers < 1 or total < suppliers:
        raise ValueError("need at least one supplier and one document per supplier")
    if suppliers == 1:
        return [total]
    measured = max(1, min(round(total * measured_share), total - (suppliers - 1)))
    rest, others = total - measured, suppliers - 1
    return [measured] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]


class _Mix:
    """A weighted choice of a status with one uniform draw (``random.choices`` builds its lists
    again on every call, which a million orders feel)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.names = list(weights)
        self.bounds = list(itertools.accumulate(weights.values()))

    def pick(self, uniform: Callable[[], float]) -> str:
        return self.names[bisect.bisect(self.bounds, uniform() * self.bounds[-1], hi=len(self.names) - 1)]


_PO_MIX = _Mix(PO_STATUSES)
_INVOICE_MIX = _Mix(INVOICE_STATUSES)
# The bits of a version 4 UUID (RFC 4122 variant) over 128 random ones.
_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> uuid.UUID:
    """A version 4 UUID from ``rng``, as asyncpg's own UUID type (a ``uuid.UUID`` it writes to
    the server as it is, and four times quicker to make than ``uuid.UUID(int=...)``)."""
    made: uuid.UUID = pgproto.UUID(((rng.getrandbits(128) & _V4_CLEAR) | _V4_SET).to_bytes(16, "big"))
    return made


def snapshot_line(
    line_id: uuid.UUID, line_no: int, description: str, quantity: Decimal, price: Decimal, net: Decimal
) -> str:
    """One line of the invoicing read model's ``lines`` (JSON, as ``json.dumps`` writes it)."""
    return (
        f'{{"line_id": "{line_id}", "line_no": {line_no}, "description": "{description}", '
        f'"quantity": "{quantity}", "unit_price": "{price}", "net_amount": "{net}", "tax_rate": "{TAX_RATE}"}}'
    )


_Order = tuple[uuid.UUID, str, int, list[tuple[Any, ...]]]


class _Maker:
    """Makes one supplier's rows after the other from one random sequence, numbering the orders
    and invoices of the tenant as it goes."""

    def __init__(self, *, tenant_id: uuid.UUID, initiator_id: uuid.UUID, now: datetime, rng: random.Random) -> None:
        self.tenant_id = tenant_id
        self.initiator_id = initiator_id
        self.now = now
        self.rng = rng
        self.orders = 0
        self.invoices = 0

    def supplier(self, data: Dataset, supplier_id: uuid.UUID, name: str, orders: int, invoices: int) -> None:
        """The supplier's orders, their read models, its invoices and its order lines."""
        rng, tenant_id, initiator_id, now = self.rng, self.tenant_id, self.initiator_id, self.now
        uniform = rng.random
        rows = data.rows
        add_order = rows.setdefault("orders.purchase_orders", []).append
        add_seen = rows.setdefault("invoicing.purchase_orders", []).append
        # Each order: its id, number, age in seconds, and its lines (id, number, description,
        # quantity ordered, the same as a Decimal, unit price, net, tax).
        made: list[_Order] = []
        invoiceable: list[_Order] = []
        for nth in range(orders):
            self.orders += 1
            po_id = _uuid(rng)
            # A supplier's first order is always out with it, so each supplier can be invoiced.
            status = "acknowledged" if nth == 0 else _PO_MIX.pick(uniform)
            age_s = int(uniform() * _HISTORY_S)
            created = now - timedelta(seconds=age_s)
            lines = []
            net_total = tax_total = _ZERO
            for line_no in range(1, 2 + int(uniform() * 5)):
                ordered = 1 + int(uniform() * _ORDERED)
                quantity, price = _QUANTITIES[ordered], _PRICES[int(uniform() * len(_PRICES))]
                # Whole quantities times prices in cents: ``line_net`` rounds nothing off.
                net = quantity * price
                tax = (net * _TAX_SHARE).quantize(_CENT, ROUND_HALF_UP)
                net_total += net
                tax_total += tax
                description = f"Article {1 + int(uniform() * 4999)}"
                lines.append((_uuid(rng), line_no, description, ordered, quantity, price, net, tax))
            submitted = None if status == "draft" else created + _SUBMITTED_AFTER
            acknowledged = None if status in ("draft", "sent") else created + _ACKNOWLEDGED_AFTER
            delivery = (created + _DELIVERED_AFTER).date()
            number = f"PO-{self.orders:06d}"
            add_order(
                (po_id, tenant_id, number, supplier_id, name, CURRENCY, delivery, status, initiator_id,
                 net_total, created, created, submitted, acknowledged, 1, tax_total, net_total + tax_total)
            )  # fmt: skip
            order = (po_id, number, age_s, lines)
            made.append(order)
            if status != "draft":
                snapshot = ", ".join(snapshot_line(*line[:3], *line[4:7]) for line in lines)
                add_seen(
                    (po_id, tenant_id, supplier_id, number, CURRENCY, status, initiator_id, f"[{snapshot}]", 1,
                     created, name, delivery)
                )  # fmt: skip
                if status in INVOICEABLE:
                    invoiceable.append(order)
        invoiced = self._invoices(data, supplier_id, invoices, invoiceable)
        add_line = rows.setdefault("orders.purchase_order_lines", []).append
        for po_id, _, _, lines in made:
            for line_id, line_no, description, _, quantity, price, net, tax in lines:
                add_line(
                    (line_id, po_id, line_no, None, description, "pcs", quantity, price, net,
                     Decimal(invoiced.get(line_id, 0)), TAX_RATE, tax)
                )  # fmt: skip

    def _invoices(
        self,
        data: Dataset,
        supplier_id: uuid.UUID,
        count: int,
        orders: list[_Order],
    ) -> dict[uuid.UUID, int]:
        """``count`` invoices of the supplier, each billing some lines of one of ``orders`` after
        the order was made; what the live ones bill of each order line."""
        rng, tenant_id, initiator_id, now = self.rng, self.tenant_id, self.initiator_id, self.now
        uniform = rng.random
        add_invoice = data.rows.setdefault("invoicing.invoices", []).append
        add_line = data.rows.setdefault("invoicing.invoice_lines", []).append
        add_payment = data.rows.setdefault("invoicing.payments", []).append
        invoiced: dict[uuid.UUID, int] = {}
        for _ in range(count):
            self.invoices += 1
            po_id, po_number, order_age_s, lines = orders[int(uniform() * len(orders))]
            status = _INVOICE_MIX.pick(uniform)
            created = now - timedelta(seconds=int(uniform() * order_age_s))
            invoice_id = _uuid(rng)
            live = status in LIVE_INVOICE_STATUSES
            net_total = tax_total = _ZERO
            # A run of the order's lines, in their order.
            billed = 1 + int(uniform() * len(lines))
            first = int(uniform() * (len(lines) - billed + 1))
            for line_no, line in enumerate(lines[first : first + billed], start=1):
                line_id, _, description, ordered, _, price, _, _ = line
                quantity = 1 + int(uniform() * ordered)
                net = _QUANTITIES[quantity] * price
                tax = (net * _TAX_SHARE).quantize(_CENT, ROUND_HALF_UP)
                net_total += net
                tax_total += tax
                add_line(
                    (_uuid(rng), invoice_id, line_no, line_id, description, _QUANTITIES[quantity], price, net,
                     TAX_RATE, tax)
                )  # fmt: skip
                if live:
                    invoiced[line_id] = invoiced.get(line_id, 0) + quantity
            gross_total = net_total + tax_total
            paid = _ZERO
            if status in ("partly_paid", "paid"):
                paid = gross_total if status == "paid" else (gross_total / 2).quantize(_CENT)
                add_payment((_uuid(rng), invoice_id, paid, created + _PAID_AFTER))
            add_invoice(
                (invoice_id, tenant_id, supplier_id, po_id, po_number, f"INV-{self.invoices:07d}", created.date(),
                 CURRENCY, status, net_total, 0 if status == "draft" else 1,
                 None if status == "draft" else created + _INVOICE_SUBMITTED_AFTER,
                 initiator_id if status in ("approved", "partly_paid", "paid") else None,
                 "prices differ from the order" if status == "rejected" else None,
                 1, created, created, initiator_id, False, tax_total, gross_total, gross_total - paid)
            )  # fmt: skip
        return invoiced


def chunks(
    *,
    tenant_id: uuid.UUID,
    initiator_id: uuid.UUID,
    measured: tuple[uuid.UUID, str],
    purchase_orders: int,
    invoices: int,
    suppliers: int,
    now: datetime,
    seed: int = 0,
    chunk_orders: int = CHUNK_ORDERS,
) -> Iterator[Dataset]:
    """The rows of the bulk, one block of whole suppliers at a time: a block ends with the
    supplier whose orders bring it to ``chunk_orders``. ``measured`` (id, name) is supplier 0
    and already exists in the product (no read model rows of it)."""
    order_counts, invoice_counts = shares(purchase_orders, suppliers), shares(invoices, suppliers)
    rng = random.Random(seed)
    parties = [measured] + [(_uuid(rng), f"Supplier {no:04d}") for no in range(1, suppliers)]
    maker = _Maker(tenant_id=tenant_id, initiator_id=initiator_id, now=now, rng=rng)
    chunk, orders_in_chunk = Dataset(), 0
    for index, (supplier_id, name) in enumerate(parties):
        if index > 0:
            chunk.add("orders.suppliers", (supplier_id, tenant_id, name, CURRENCY, "active", 1))
            chunk.add("invoicing.suppliers", (supplier_id, tenant_id, name, 1))
        maker.supplier(chunk, supplier_id, name, order_counts[index], invoice_counts[index])
        orders_in_chunk += order_counts[index]
        if orders_in_chunk >= chunk_orders:
            yield chunk
            chunk, orders_in_chunk = Dataset(), 0
    if orders_in_chunk:
        yield chunk


def generate(
    *,
    tenant_id: uuid.UUID,
    initiator_id: uuid.UUID,
    measured: tuple[uuid.UUID, str],
    purchase_orders: int,
    invoices: int,
    suppliers: int,
    now: datetime,
    seed: int = 0,
) -> Dataset:
    """Every row of the bulk at once (``chunks`` put together): for small sizes."""
    data = Dataset()
    for chunk in chunks(
        tenant_id=tenant_id,
        initiator_id=initiator_id,
        measured=measured,
        purchase_orders=purchase_orders,
        invoices=invoices,
        suppliers=suppliers,
        now=now,
        seed=seed,
    ):
        data.extend(chunk)
    return data


def _fullest_order(data: Dataset, supplier_id: uuid.UUID) -> tuple[tuple[int, int], dict[str, Any]] | None:
    """The order of ``measured_order`` among the rows of ``data``, with its rank (lines,
    invoices); None when the supplier has no order there that it sees with lines."""
    orders = data.rows.get("orders.purchase_orders", ())
    seen = {row[0]: row for row in orders if row[3] == supplier_id and row[7] != "draft"}
    if not seen:
        return None
    lines = Counter(row[1] for row in data.rows.get("orders.purchase_order_lines", ()) if row[1] in seen)
    invoices = Counter(row[3] for row in data.rows.get("invoicing.invoices", ()) if row[3] in seen)
    best: tuple[tuple[int, int], dict[str, Any]] | None = None
    for po_id, row in seen.items():
        if not lines[po_id]:
            continue
        rank = (lines[po_id], invoices[po_id])
        if best is None or rank > best[0]:
            best = rank, {"id": po_id, "number": row[2], "status": row[7], "lines": rank[0], "invoices": rank[1]}
    return best


def measured_order(data: Dataset, supplier_id: uuid.UUID) -> dict[str, Any]:
    """The order of ``supplier_id`` whose page is timed: one the supplier sees (not a draft), with
    the most lines and, among those, the most invoices (the fullest page); the first such in the
    rows. Its id, number, status and how many lines and invoices it has."""
    if (found := _fullest_order(data, supplier_id)) is None:
        raise ValueError(f"supplier {supplier_id} has no order with lines it can see")
    return found[1]


@dataclass
class Tally:
    """What the benchmark reports of the bulk, counted block by block as the rows go by: the rows
    per table, the orders the measured supplier sees, its invoices in ``status``, and its fullest
    order (``measured_order`` over every block; a supplier is never split between two)."""

    supplier_id: uuid.UUID
    status: str
    rows: Counter[str] = field(default_factory=Counter)
    visible_purchase_orders: int = 0
    invoices_in_status: int = 0
    _order: tuple[tuple[int, int], dict[str, Any]] | None = None

    def add(self, chunk: Dataset) -> None:
        for table, rows in chunk.rows.items():
            self.rows[table] += len(rows)
        supplier_id, status = self.supplier_id, self.status
        orders, invoices = chunk.rows.get("orders.purchase_orders", ()), chunk.rows.get("invoicing.invoices", ())
        self.visible_purchase_orders += sum(1 for row in orders if row[3] == supplier_id and row[7] != "draft")
        self.invoices_in_status += sum(1 for row in invoices if row[2] == supplier_id and row[8] == status)
        found = _fullest_order(chunk, supplier_id)
        if found is not None and (self._order is None or found[0] > self._order[0]):
            self._order = found

    def counted(self, blocks: Iterator[Dataset]) -> Iterator[Dataset]:
        """``blocks`` as they are, each counted as it goes by."""
        for chunk in blocks:
            self.add(chunk)
            yield chunk

    @property
    def order(self) -> dict[str, Any]:
        """``measured_order`` of every row counted."""
        if self._order is None:
            raise ValueError(f"supplier {self.supplier_id} has no order with lines it can see")
        return self._order[1]
