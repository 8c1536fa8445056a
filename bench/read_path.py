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

At full size that is a million orders and two million invoices across 10,000 suppliers, more
rows than fit in memory as Python values: they are made one block of suppliers at a time
(``bench.read_path_data``) and each block is copied while the next is made (``load``), so that
no more than two blocks are held at once, whatever the size. What the results say of the rows
(counts per table, the measured supplier's orders and invoices, the order whose page is timed)
is counted block by block as they go by (``Tally``).

Then, through the gateway with the supplier user's token, sequential requests time the first
page of ``GET /purchase-orders`` and of ``GET /invoices?status=pending``: p50/p99/max in ms.

Last, the same supplier signed in to the web portal (the gateway forwards every non-API path to
the web service): its dashboard, its list of orders and one of its orders (``Tally.order``),
each timed beside the API call it wraps, the same way (sequential requests through the gateway),
and compared as ``page_to_api_p50_ratio`` / ``page_to_api_p99_ratio`` (``web_pages``).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from sqlalchemy.dialects import postgresql

from bench.read_path_data import COLUMNS, CURRENCY, MEASURED_SHARE, Dataset, Tally, chunks
from gateway.config import Settings as GatewaySettings
from gateway.entrypoints import operator
from invoicing.adapters import pages as invoicing_pages
from invoicing.entrypoints.api import INVOICE_DOCUMENT
from orders.adapters import pages as orders_pages
from orders.entrypoints.api import ORDER_DOCUMENT
from portal_cli.seed import invitation_token
from portal_dev.stack import Stack
from shared.auth import Principal

TARGET_P99_MS = 20.0
# A server-rendered page may cost at most this many times the API call it wraps (p50 and p99).
TARGET_PAGE_TO_API_RATIO = 2.0
FULL = {"purchase_orders": 1_000_000, "invoices": 2_000_000, "suppliers": 10_000}
QUICK = {"purchase_orders": 5_000, "invoices": 10_000, "suppliers": 100}
PAGE_STATUS = "pending"
# The tables COPY takes as text: the order lines and invoice lines, more than half of the rows,
# with no timestamps. Writing a Decimal in the binary format costs asyncpg about 1.5 µs, its text
# 0.1 µs; the other tables go binary, as writing a timestamp as text costs more still.
TEXT_COPY = frozenset({"orders.purchase_order_lines", "invoicing.invoice_lines"})


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


async def load(database_urls: Mapping[str, str], blocks: Iterator[Dataset], *, tenant_id: uuid.UUID) -> dict[str, Any]:
    """COPY the rows into the databases of orders and invoicing (``database_urls`` by service)
    block by block as ``blocks`` makes them, then VACUUM (ANALYZE) the tables loaded; seconds.

    The next block is made in a worker thread while the rows of the one before go to both
    databases at once (one COPY per table and block on each), so that making rows, writing them
    and the server storing them overlap, and no more than two blocks are held at a time. Each
    database takes the whole bulk in one transaction, without its foreign-key checks where the
    role may (``foreign_keys_checked``). ``make_s`` is the time spent making the rows, ``copy_s``
    the time until the last block was stored, ``vacuum_s`` the VACUUM after: what autovacuum does
    after a bulk load (the planner's statistics, the rows' visibility), done before the pages are
    timed rather than while they are (at a million orders its passes over the new rows went on
    for a minute and a half into the timed requests)."""
    started = time.perf_counter()
    made_s = 0.0

    def make() -> Dataset | None:
        nonlocal made_s
        began = time.perf_counter()
        try:
            return next(blocks, None)
        finally:
            made_s += time.perf_counter() - began

    connections = {
        service: await asyncpg.connect(_asyncpg_dsn(database_urls[service])) for service in ("orders", "invoicing")
    }
    orders = 0
    making: asyncio.Future[Dataset | None] | None = None
    try:
        unchecked = [await _without_reference_checks(connection) for connection in connections.values()]
        transactions = [connection.transaction() for connection in connections.values()]
        for transaction in transactions:
            await transaction.start()
        making = asyncio.ensure_future(asyncio.to_thread(make))
        while (block := await making) is not None:
            making = asyncio.ensure_future(asyncio.to_thread(make))
            await asyncio.gather(*(_copy(connections[service], service, block) for service in connections))
            orders += block.count("orders.purchase_orders")
        # Numbers given out by the product later must not collide with the loaded ones.
        await connections["orders"].execute(
            "INSERT INTO purchase_order_counters (tenant_id, last_number) VALUES ($1, $2) "
            "ON CONFLICT (tenant_id) DO UPDATE SET last_number = EXCLUDED.last_number",
            tenant_id,
            orders,
        )
        for transaction in transactions:
            await transaction.commit()
        copied = time.perf_counter()
        await asyncio.gather(*(_vacuum(connection, service) for service, connection in connections.items()))
        vacuumed = time.perf_counter()
    finally:
        if making is not None:
            await asyncio.gather(making, return_exceptions=True)
        for connection in connections.values():
            await connection.close()
    return {
        "make_s": round(made_s, 2),
        "copy_s": round(copied - started, 2),
        "vacuum_s": round(vacuumed - copied, 2),
        "foreign_keys_checked": not all(unchecked),
    }


async def _vacuum(connection: asyncpg.Connection, service: str) -> None:
    """VACUUM (ANALYZE) the tables of ``service`` that the bulk loaded."""
    loaded = ", ".join(table.split(".")[1] for table in COLUMNS if table.startswith(f"{service}."))
    await connection.execute(f"VACUUM (ANALYZE) {loaded}")


async def _copy(connection: asyncpg.Connection, service: str, block: Dataset) -> None:
    """The block's rows of ``service``'s tables, a COPY per table (in the order of ``COLUMNS``:
    an order before its lines, an invoice before its lines and payments)."""
    for table, columns in COLUMNS.items():
        owner, name = table.split(".")
        if owner != service or not (rows := block.rows.get(table)):
            continue
        if table in TEXT_COPY:
            await connection.copy_to_table(name, source=copy_text(rows), columns=columns, format="text", null="None")
        else:
            await connection.copy_records_to_table(name, records=rows, columns=columns)


async def copy_text(rows: Sequence[tuple[Any, ...]], *, batch: int = 2_000) -> AsyncIterator[bytes]:
    """Rows in the text format of COPY, a batch of rows at a time: each value as ``str`` writes
    it, None as "None" (which the COPY reads as NULL). For the tables of ``TEXT_COPY``, whose
    values never hold a tab, a newline or a backslash."""
    for start in range(0, len(rows), batch):
        yield "".join(["\t".join(map(str, row)) + "\n" for row in rows[start : start + batch]]).encode()


async def _without_reference_checks(connection: asyncpg.Connection) -> bool:
    """Turn off the foreign-key checks of the connection's session where its role may, as
    ``pg_restore --disable-triggers`` does: the bulk's rows refer to each other by construction,
    and checking every line's order and invoice would cost the server a third more. True when
    they are off; a role that may not load them checked."""
    try:
        await connection.execute("SET session_replication_role = replica")
    except asyncpg.InsufficientPrivilegeError:
        return False
    return True


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
        tally = Tally(tenant.supplier_id, PAGE_STATUS)
        blocks = chunks(
            tenant_id=tenant.tenant_id,
            initiator_id=tenant.admin_id,
            measured=(tenant.supplier_id, tenant.supplier_name),
            now=datetime.now(UTC),
            **sizes,
        )
        urls = {service: stack.database_url(service) for service in ("orders", "invoicing")}
        load_s = await load(urls, tally.counted(blocks), tenant_id=tenant.tenant_id)
        measured_id = tenant.supplier_id
        requests, warmup = (100, 10) if quick else (500, 25)
        headers = tenant.supplier_headers
        orders_page = await time_page(api, "/purchase-orders", {}, headers, requests=requests, warmup=warmup)
        invoices_page = await time_page(
            api, "/invoices", {"status": PAGE_STATUS}, headers, requests=requests, warmup=warmup
        )
        # The web portal's pages, at the gateway's address, as a browser keeps its cookies.
        order = tally.order
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
        "rows": {table: tally.rows[table] for table in COLUMNS},
        "measured_supplier": {
            "share": MEASURED_SHARE,
            "visible_purchase_orders": tally.visible_purchase_orders,
            f"{PAGE_STATUS}_invoices": tally.invoices_in_status,
        },
        "generate_s": load_s.pop("make_s"),
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
