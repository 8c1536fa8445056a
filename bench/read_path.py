"""Read path: a supplier's first page of purchase orders and of invoices by status, at volume.

One buyer organisation, its admin and one supplier with its portal user are made through the
product (the gateway's operator function and API, the invitation read from the mail sink), so
that the gateway signs the supplier user in exactly as in production. The bulk — purchase
orders with their lines and invoices with their lines and payments, spread over many
suppliers of that tenant — goes straight into the orders and invoicing databases with COPY,
together with the read models those services keep of suppliers and orders. The measured
supplier gets a realistic large share (``MEASURED_SHARE`` of every document); the others share
the rest. Statuses follow a realistic mix, totals are the sums of the line nets and live
invoices count in their PO lines' invoiced quantities; the rows are not a replay of every
state transition (no outbox rows, no verdicts), which the read path does not look at.

Then, through the gateway with the supplier user's token, sequential requests time the first
page of ``GET /purchase-orders`` and of ``GET /invoices?status=pending``: p50/p99/max in ms.

Last, the same supplier signed in to the web portal (the gateway forwards every non-API path to
the web service): its dashboard, its list of orders and one of its orders (``measured_order``),
each timed beside the API call it wraps, the same way (sequential requests through the gateway),
and compared as ``page_to_api_p50_ratio`` / ``page_to_api_p99_ratio`` (``web_pages``).
"""

from __future__ import annotations

import asyncio
import html
import json
import random
import re
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from sqlalchemy.dialects import postgresql

from gateway.config import Settings as GatewaySettings
from gateway.entrypoints import operator
from invoicing.adapters import pages as invoicing_pages
from invoicing.entrypoints.api import INVOICE_DOCUMENT
from orders.adapters import pages as orders_pages
from orders.entrypoints.api import ORDER_DOCUMENT
from portal_cli.seed import invitation_token
from portal_dev.stack import Stack
from shared.auth import Principal
from shared.contracts.invoicing import LIVE_INVOICE_STATUSES
from shared.money import line_net, round_money
from shared.taxes import line_tax

TARGET_P99_MS = 20.0
# A server-rendered page may cost at most this many times the API call it wraps (p50 and p99).
TARGET_PAGE_TO_API_RATIO = 2.0
FULL = {"purchase_orders": 100_000, "invoices": 200_000, "suppliers": 1_000}
QUICK = {"purchase_orders": 5_000, "invoices": 10_000, "suppliers": 100}
# The measured supplier is one of the buyer's big ones: this share of all orders and invoices.
MEASURED_SHARE = 0.02
PAGE_STATUS = "pending"
CURRENCY = "EUR"
# Every line of the generated data is taxed alike: the read path does not depend on the rate.
TAX_RATE = Decimal(20)

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


@dataclass(frozen=True)
class WebPage:
    """A page of the web portal and the API call it wraps: what the page is compared with."""

    name: str
    page: str
    api: str
    api_params: dict[str, str] = field(default_factory=dict)


def web_pages(order_id: uuid.UUID) -> tuple[WebPage, ...]:
    """The measured pages: the dashboard, the first page of the order list (25 a page, as the web
    asks) and one order. Each page asks the API for what it compares with; the parts that follow
    (the newest orders on the dashboard, an order's invoices, comments and files) the browser asks
    for once the page is shown, and are not part of the page's time."""
    return (
        WebPage("dashboard", "/", "/portal/summary"),
        WebPage("orders_list", "/purchase-orders", "/purchase-orders", {"limit": "25"}),
        WebPage("order_page", f"/purchase-orders/{order_id}", f"/purchase-orders/{order_id}"),
    )


@dataclass
class Dataset:
    """Rows per table (``"orders.purchase_orders"`` ...), in the column order of ``COLUMNS``."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows.setdefault(table, []).append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, []))


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


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass(frozen=True)
class _OrderLine:
    id: uuid.UUID
    line_no: int
    description: str
    quantity: Decimal
    unit_price: Decimal

    @property
    def net(self) -> Decimal:
        """As the orders service stores it: rounded to the currency's minor unit."""
        return line_net(self.quantity, self.unit_price, CURRENCY)

    @property
    def tax(self) -> Decimal:
        return line_tax(self.net, TAX_RATE, CURRENCY)


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
    """Every row of the bulk: ``measured`` (id, name) is supplier 0 and already exists in the product."""
    rng = random.Random(seed)
    data = Dataset()
    parties = [measured] + [(_uuid(rng), f"Supplier {no:04d}") for no in range(1, suppliers)]
    for supplier_id, name in parties[1:]:
        data.add("orders.suppliers", (supplier_id, tenant_id, name, CURRENCY, "active", 1))
        data.add("invoicing.suppliers", (supplier_id, tenant_id, name, 1))
    span_s = 2 * 365 * 24 * 3600  # two years of history, newest first in every list
    number = 0
    orders_of: list[list[tuple[uuid.UUID, str, list[_OrderLine]]]] = [[] for _ in parties]
    invoiced: dict[uuid.UUID, Decimal] = {}
    order_lines: list[tuple[uuid.UUID, _OrderLine]] = []
    for index, count in enumerate(shares(purchase_orders, suppliers)):
        supplier_id, name = parties[index]
        for nth in range(count):
            number += 1
            po_id = _uuid(rng)
            # A supplier's first order is always out with it, so each supplier can be invoiced.
            status = "acknowledged" if nth == 0 else _weighted(rng, PO_STATUSES)
            created = now - timedelta(seconds=rng.randrange(span_s))
            lines = [
                _OrderLine(
                    _uuid(rng),
                    no,
                    f"Article {rng.randrange(1, 5000)}",
                    Decimal(rng.randrange(1, 50)),
                    Decimal(rng.randrange(100, 100_000)) / 100,
                )
                for no in range(1, rng.randrange(1, 6) + 1)
            ]
            net_total = round_money(sum((line.net for line in lines), Decimal(0)), CURRENCY)
            tax_total = round_money(sum((line.tax for line in lines), Decimal(0)), CURRENCY)
            submitted = None if status == "draft" else created + timedelta(minutes=5)
            acknowledged = created + timedelta(hours=4) if status not in ("draft", "sent") else None
            delivery = (created + timedelta(days=30)).date()
            po_number = f"PO-{number:06d}"
            data.add(
                "orders.purchase_orders",
                (po_id, tenant_id, po_number, supplier_id, name, CURRENCY, delivery, status, initiator_id,
                 net_total, created, created, submitted, acknowledged, 1, tax_total, net_total + tax_total),
            )  # fmt: skip
            order_lines.extend((po_id, line) for line in lines)
            if status != "draft":
                snapshot = [
                    {"line_id": str(line.id), "line_no": line.line_no, "description": line.description,
                     "quantity": str(line.quantity), "unit_price": str(line.unit_price),
                     "net_amount": str(line.net), "tax_rate": str(TAX_RATE)}
                    for line in lines
                ]  # fmt: skip
                data.add(
                    "invoicing.purchase_orders",
                    (po_id, tenant_id, supplier_id, po_number, CURRENCY, status, initiator_id,
                     json.dumps(snapshot), 1, created, name, delivery),
                )  # fmt: skip
                if status in INVOICEABLE:
                    orders_of[index].append((po_id, po_number, lines))
    invoice_no = 0
    for index, count in enumerate(shares(invoices, suppliers)):
        supplier_id, _ = parties[index]
        for _ in range(count):
            invoice_no += 1
            po_id, po_number, lines = rng.choice(orders_of[index])
            status = _weighted(rng, INVOICE_STATUSES)
            created = now - timedelta(seconds=rng.randrange(span_s))
            invoice_id = _uuid(rng)
            billed = rng.sample(lines, rng.randrange(1, len(lines) + 1))
            net_total = tax_total = Decimal(0)
            for line_no, line in enumerate(billed, start=1):
                quantity = Decimal(rng.randrange(1, int(line.quantity) + 1))
                net = line_net(quantity, line.unit_price, CURRENCY)
                tax = line_tax(net, TAX_RATE, CURRENCY)
                net_total, tax_total = net_total + net, tax_total + tax
                data.add(
                    "invoicing.invoice_lines",
                    (_uuid(rng), invoice_id, line_no, line.id, line.description, quantity, line.unit_price, net,
                     TAX_RATE, tax),
                )  # fmt: skip
                if status in LIVE_INVOICE_STATUSES:
                    invoiced[line.id] = invoiced.get(line.id, Decimal(0)) + quantity
            submitted = None if status == "draft" else created + timedelta(minutes=1)
            gross_total = net_total + tax_total
            amount = Decimal(0)
            if status in ("partly_paid", "paid"):
                amount = gross_total if status == "paid" else (gross_total / 2).quantize(Decimal("0.01"))
                data.add("invoicing.payments", (_uuid(rng), invoice_id, amount, created + timedelta(days=20)))
            data.add(
                "invoicing.invoices",
                (invoice_id, tenant_id, supplier_id, po_id, po_number, f"INV-{invoice_no:07d}", created.date(),
                 CURRENCY, status, net_total, 0 if status == "draft" else 1, submitted,
                 initiator_id if status in ("approved", "partly_paid", "paid") else None,
                 "prices differ from the order" if status == "rejected" else None,
                 1, created, created, initiator_id, False, tax_total, gross_total, gross_total - amount),
            )  # fmt: skip
    for po_id, line in order_lines:
        data.add(
            "orders.purchase_order_lines",
            (line.id, po_id, line.line_no, None, line.description, "pcs", line.quantity, line.unit_price,
             line.net, invoiced.get(line.id, Decimal(0)), TAX_RATE, line.tax),
        )  # fmt: skip
    return data


def measured_order(data: Dataset, supplier_id: uuid.UUID) -> dict[str, Any]:
    """The order of ``supplier_id`` whose page is timed: one the supplier sees (not a draft), with
    the most lines and, among those, the most invoices (the fullest page); the first such in the
    rows. Its id, number, status and how many lines and invoices it has."""
    lines: dict[uuid.UUID, int] = {}
    for row in data.rows.get("orders.purchase_order_lines", []):
        lines[row[1]] = lines.get(row[1], 0) + 1
    invoices: dict[uuid.UUID, int] = {}
    for row in data.rows.get("invoicing.invoices", []):
        invoices[row[3]] = invoices.get(row[3], 0) + 1
    best: tuple[int, int] | None = None
    found: dict[str, Any] | None = None
    for row in data.rows.get("orders.purchase_orders", []):
        po_id, status = row[0], row[7]
        if row[3] != supplier_id or status == "draft" or not lines.get(po_id):
            continue
        rank = (lines[po_id], invoices.get(po_id, 0))
        if best is None or rank > best:
            best = rank
            found = {"id": po_id, "number": row[2], "status": status, "lines": rank[0], "invoices": rank[1]}
    if found is None:
        raise ValueError(f"supplier {supplier_id} has no order with lines it can see")
    return found


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of the samples (ms), and their count."""
    if not samples_ms:
        raise ValueError("no samples")
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return {
        "count": len(ordered),
        "p50_ms": round(cuts[49], 3),
        "p99_ms": round(cuts[98], 3),
        "max_ms": round(ordered[-1], 3),
    }


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def load(stack: Stack, data: Dataset) -> dict[str, float]:
    """COPY every table's rows into its service's database, then ANALYZE; seconds per database."""
    took: dict[str, float] = {}
    for service in ("orders", "invoicing"):
        started = time.perf_counter()
        connection = await asyncpg.connect(_asyncpg_dsn(stack.database_url(service)))
        try:
            async with connection.transaction():
                for table, columns in COLUMNS.items():
                    owner, name = table.split(".")
                    if owner == service and data.rows.get(table):
                        await connection.copy_records_to_table(name, records=data.rows[table], columns=columns)
            if service == "orders":
                # Numbers given out by the product later must not collide with the loaded ones.
                tenant_id = data.rows["orders.purchase_orders"][0][1]
                await connection.execute(
                    "INSERT INTO purchase_order_counters (tenant_id, last_number) VALUES ($1, $2) "
                    "ON CONFLICT (tenant_id) DO UPDATE SET last_number = EXCLUDED.last_number",
                    tenant_id,
                    data.count("orders.purchase_orders"),
                )
            await connection.execute("ANALYZE")  # what autovacuum does after a bulk load
        finally:
            await connection.close()
        took[service] = round(time.perf_counter() - started, 2)
    return took


def page_queries(supplier_id: uuid.UUID) -> dict[str, tuple[str, str]]:
    """The first-page statements exactly as the services build them for the measured supplier's
    user (one row more than the page, in keyset order), compiled with their values."""
    caller = Principal(user_id=uuid.uuid4(), role="supplier", supplier_ids=frozenset({supplier_id}))
    orders_query = orders_pages.page_query(ORDER_DOCUMENT, scope=caller, limit=51, after=None)
    invoices_query = invoicing_pages.page_query(
        INVOICE_DOCUMENT,
        scope=caller,
        status=PAGE_STATUS,
        purchase_order_id=None,
        limit=51,
        after=None,
        today=datetime.now(UTC).date(),
    )

    def compiled(query: Any) -> str:
        return str(query.with_values().compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))

    return {
        "orders": ("purchase_orders_first_page", compiled(orders_query)),
        "invoicing": ("invoices_by_status_first_page", compiled(invoices_query)),
    }


async def query_times(stack: Stack, supplier_id: uuid.UUID, *, repeats: int = 11) -> dict[str, dict[str, Any]]:
    """Median execution time (EXPLAIN ANALYZE) of each page query, and the plan's top index."""
    found: dict[str, dict[str, Any]] = {}
    for service, (name, sql) in page_queries(supplier_id).items():
        connection = await asyncpg.connect(_asyncpg_dsn(stack.database_url(service)))
        try:
            times, index = [], None
            for _ in range(repeats):
                plan = json.loads(await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
                times.append(plan[0]["Execution Time"])
                index = index or _first_index(plan[0]["Plan"])
        finally:
            await connection.close()
        found[name] = {"median_ms": round(statistics.median(times), 3), "index": index}
    return found


def _first_index(node: dict[str, Any]) -> str | None:
    """The first index a plan uses, depth first (None for sequential scans only)."""
    if "Index Name" in node:
        return str(node["Index Name"])
    for child in node.get("Plans", []):
        if (name := _first_index(child)) is not None:
            return name
    return None


@dataclass(frozen=True)
class Tenant:
    tenant_id: uuid.UUID
    admin_id: uuid.UUID
    supplier_id: uuid.UUID
    supplier_name: str
    supplier_headers: dict[str, str]
    # The supplier user's sign-in, for the web portal.
    supplier_email: str
    supplier_password: str


async def _answer(api: httpx.AsyncClient, method: str, path: str, expect: int, **kw: Any) -> dict[str, Any]:
    """One request, tried again while a service has not heard of what it refers to yet."""
    deadline = time.monotonic() + 60
    while True:
        answer = await api.request(method, path, **kw)
        if answer.status_code == expect:
            result: dict[str, Any] = answer.json()
            return result
        if answer.status_code not in (404, 409, 422) or time.monotonic() > deadline:
            raise RuntimeError(f"{method} {path} answered {answer.status_code}: {answer.text[:300]}")
        await asyncio.sleep(0.2)


async def make_tenant(stack: Stack, api: httpx.AsyncClient, tag: str) -> Tenant:
    """A buyer organisation, its admin and one supplier with a portal user, made through the product."""
    password = "read-path-bench-password"
    created = await operator.create_organisation(
        GatewaySettings(database_url=stack.database_url("gateway")),
        name=f"Read path {tag}",
        admin_email=f"admin@{tag}.bench.example",
        admin_password=password,
    )
    token = await _answer(
        api, "POST", "/auth/token", 200, json={"email": f"admin@{tag}.bench.example", "password": password}
    )
    admin = {"Authorization": f"Bearer {token['access_token']}"}
    address, name = f"sales@{tag}.supplier.example", "Measured Supplier"
    body = {"name": name, "email": address, "currency": CURRENCY, "tolerance_rate": "5"}
    supplier = await _answer(api, "POST", "/suppliers", 201, json=body, headers=admin)
    await _answer(api, "POST", f"/suppliers/{supplier['id']}/portal/activate", 200, headers=admin)
    deadline = time.monotonic() + 60
    while (invitation := invitation_token(stack.config.mail_sink_dir, address)) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no invitation email to {address}")
        await asyncio.sleep(0.2)
    supplier_password = "supplier-" + password
    accepted = await _answer(
        api, "POST", f"/auth/invitations/{invitation}/accept", 201, json={"password": supplier_password}
    )
    return Tenant(
        tenant_id=created.id,
        admin_id=created.admin.id,
        supplier_id=uuid.UUID(supplier["id"]),
        supplier_name=name,
        supplier_headers={"Authorization": f"Bearer {accepted['access_token']}"},
        supplier_email=address,
        supplier_password=supplier_password,
    )


_CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>", re.IGNORECASE)
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"", re.IGNORECASE)


def csrf_token(page: str) -> str:
    """The value of the form's hidden ``csrf_token`` input (the first one)."""
    if (tag := _CSRF_INPUT.search(page)) is None or (value := _VALUE.search(tag.group(0))) is None:
        raise ValueError("no csrf_token input in the page")
    return html.unescape(value.group(1))


async def sign_in(web: httpx.AsyncClient, email: str, password: str) -> None:
    """Sign in to the web portal as a browser does: the form (its CSRF cookie and token), then the
    post; ``web`` keeps the session cookie."""
    form = await web.get("/sign-in")
    if form.status_code != 200:
        raise RuntimeError(f"GET /sign-in answered {form.status_code}: {form.text[:300]}")
    body = {"email": email, "password": password, "next": "/", "csrf_token": csrf_token(form.text)}
    answer = await web.post("/sign-in", data=body, follow_redirects=False)
    if answer.status_code != 303 or "portal_session" not in web.cookies:
        raise RuntimeError(f"POST /sign-in answered {answer.status_code} without a session: {answer.text[:300]}")


async def time_get(
    client: httpx.AsyncClient,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    *,
    requests: int,
    warmup: int,
) -> tuple[dict[str, Any], httpx.Response]:
    """Sequential GETs of one path; the figures of the timed ones (and the answer's size in bytes)
    and the last answer. Anything but 200 is an error."""
    samples: list[float] = []
    answer = None
    for n in range(warmup + requests):
        started = time.perf_counter()
        answer = await client.get(path, params=params, headers=headers)
        elapsed_ms = (time.perf_counter() - started) * 1e3
        if answer.status_code != 200:
            raise RuntimeError(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
        if n >= warmup:
            samples.append(elapsed_ms)
    assert answer is not None
    return percentiles(samples) | {"bytes": len(answer.content)}, answer


async def time_page(
    api: httpx.AsyncClient, path: str, params: dict[str, str], headers: dict[str, str], *, requests: int, warmup: int
) -> dict[str, Any]:
    """Sequential requests of one page; the figures of the timed ones and the page's size."""
    figures, answer = await time_get(api, path, params, headers, requests=requests, warmup=warmup)
    del figures["bytes"]
    return figures | {"items": len(answer.json()["items"])}


def _ratio(page_ms: float, api_ms: float) -> float | None:
    return round(page_ms / api_ms, 2) if api_ms > 0 else None


def page_to_api(page: dict[str, Any], api: dict[str, Any]) -> dict[str, float | None]:
    """What a page costs against the API call it wraps, at p50 and at p99 (None without a time)."""
    return {
        "page_to_api_p50_ratio": _ratio(page["p50_ms"], api["p50_ms"]),
        "page_to_api_p99_ratio": _ratio(page["p99_ms"], api["p99_ms"]),
    }


def web_pages_met(pages: dict[str, dict[str, Any]], target: float = TARGET_PAGE_TO_API_RATIO) -> dict[str, bool]:
    """``<page>_page_to_api_p50`` / ``_p99``: the page's ratio to its API call is at most ``target``."""
    met = {}
    for name, figures in pages.items():
        for cut in ("p50", "p99"):
            ratio = figures[f"page_to_api_{cut}_ratio"]
            met[f"{name}_page_to_api_{cut}"] = ratio is not None and ratio <= target
    return met


async def time_web_pages(
    api: httpx.AsyncClient,
    web: httpx.AsyncClient,
    pages: Sequence[WebPage],
    headers: dict[str, str],
    *,
    requests: int,
    warmup: int,
) -> dict[str, dict[str, Any]]:
    """Each page through the signed-in ``web`` client, right after the API call it wraps through
    ``api`` with the same person's token: the same number of sequential requests each."""
    found = {}
    for page in pages:
        api_ms, _ = await time_get(api, page.api, page.api_params, headers, requests=requests, warmup=warmup)
        page_ms, _ = await time_get(web, page.page, {}, {}, requests=requests, warmup=warmup)
        found[page.name] = {
            "page": page.page,
            "api": page.api + (f"?{httpx.QueryParams(page.api_params)}" if page.api_params else ""),
            "page_ms": page_ms,
            "api_ms": api_ms,
        } | page_to_api(page_ms, api_ms)
    return found


async def run(stack: Stack, quick: bool) -> dict[str, Any]:
    """Load the volume, then time the supplier's first pages through the gateway."""
    sizes = QUICK if quick else FULL
    tag = f"rp{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.config.gateway_url + "/api/v1", timeout=30) as api:
        tenant = await make_tenant(stack, api, tag)
        started = time.perf_counter()
        data = generate(
            tenant_id=tenant.tenant_id,
            initiator_id=tenant.admin_id,
            measured=(tenant.supplier_id, tenant.supplier_name),
            now=datetime.now(UTC),
            **sizes,
        )
        generated_s = round(time.perf_counter() - started, 2)
        load_s = await load(stack, data)
        measured_id = tenant.supplier_id
        own_orders = sum(
            1 for row in data.rows["orders.purchase_orders"] if row[3] == measured_id and row[7] != "draft"
        )
        own_invoices = sum(
            1 for row in data.rows["invoicing.invoices"] if row[2] == measured_id and row[8] == PAGE_STATUS
        )
        requests, warmup = (100, 10) if quick else (500, 25)
        headers = tenant.supplier_headers
        orders_page = await time_page(api, "/purchase-orders", {}, headers, requests=requests, warmup=warmup)
        invoices_page = await time_page(
            api, "/invoices", {"status": PAGE_STATUS}, headers, requests=requests, warmup=warmup
        )
        # The web portal's pages, at the gateway's address, as a browser keeps its cookies.
        order = measured_order(data, measured_id)
        async with httpx.AsyncClient(base_url=stack.config.gateway_url, timeout=30) as web:
            await sign_in(web, tenant.supplier_email, tenant.supplier_password)
            pages = await time_web_pages(api, web, web_pages(order["id"]), headers, requests=requests, warmup=warmup)
    # Where the time goes: the same pages asked of the owning service directly (no gateway hop),
    # and the database's own execution time of the page's query.
    direct = {}
    for service, path, params in (
        ("orders", "/purchase-orders", {}),
        ("invoicing", "/invoices", {"status": PAGE_STATUS}),
    ):
        async with httpx.AsyncClient(base_url=stack.service_url(service) + "/api/v1", timeout=30) as client:
            direct[service] = await time_page(client, path, params, headers, requests=requests // 2, warmup=warmup)
    database = await query_times(stack, measured_id)
    return {
        "sizes": sizes,
        "rows": {table: data.count(table) for table in COLUMNS},
        "measured_supplier": {
            "share": MEASURED_SHARE,
            "visible_purchase_orders": own_orders,
            f"{PAGE_STATUS}_invoices": own_invoices,
        },
        "generate_s": generated_s,
        "load_s": load_s,
        "purchase_orders_first_page": orders_page,
        "invoices_by_status_first_page": invoices_page | {"status": PAGE_STATUS},
        "web_order": order | {"id": str(order["id"])},
        "web_pages": pages,
        "breakdown": {
            "service_direct": {
                "purchase_orders_first_page": direct["orders"],
                "invoices_by_status_first_page": direct["invoicing"],
            },
            "database_execution_ms": database,
        },
        "targets": {"p99_ms": TARGET_P99_MS, "page_to_api_ratio": TARGET_PAGE_TO_API_RATIO},
        "met": {
            "purchase_orders_p99": orders_page["p99_ms"] <= TARGET_P99_MS,
            "invoices_p99": invoices_page["p99_ms"] <= TARGET_P99_MS,
        }
        | web_pages_met(pages),
    }
