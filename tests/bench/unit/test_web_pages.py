"""The web portal's part of the read path: the order whose page is timed, the sign-in form's
token, and each page's ratios to the API call it wraps against the target."""

from __future__ import annotations

import uuid

import pytest

from bench.read_path import TARGET_PAGE_TO_API_RATIO, csrf_token, page_to_api, web_pages, web_pages_met
from bench.read_path_data import COLUMNS, Dataset, measured_order
from tests.bench.unit.conftest import MEASURED, TENANT


def test_the_timed_order_is_the_measured_suppliers_fullest_order_that_it_can_see(data: Dataset) -> None:
    order = measured_order(data, MEASURED)

    orders = [
        dict(zip(COLUMNS["orders.purchase_orders"], row, strict=True)) for row in data.rows["orders.purchase_orders"]
    ]
    chosen = next(row for row in orders if row["id"] == order["id"])
    assert chosen["supplier_id"] == MEASURED
    assert chosen["status"] != "draft" and chosen["status"] == order["status"]
    assert chosen["number"] == order["number"]

    def lines_of(po_id: uuid.UUID) -> int:
        return sum(1 for line in data.rows["orders.purchase_order_lines"] if line[1] == po_id)

    def invoices_of(po_id: uuid.UUID) -> int:
        return sum(1 for invoice in data.rows["invoicing.invoices"] if invoice[3] == po_id)

    assert order["lines"] == lines_of(order["id"]) >= 1
    assert order["invoices"] == invoices_of(order["id"])
    visible = [row["id"] for row in orders if row["supplier_id"] == MEASURED and row["status"] != "draft"]
    assert max((lines_of(po), invoices_of(po)) for po in visible) == (order["lines"], order["invoices"])
    # The invoicing read model has it too: the supplier's own API reads of it succeed.
    assert order["id"] in {row[0] for row in data.rows["invoicing.purchase_orders"]}


def test_a_supplier_without_an_order_it_can_see_has_no_order_page(data: Dataset) -> None:
    with pytest.raises(ValueError, match="no order with lines"):
        measured_order(data, uuid.uuid4())
    drafts_only = Dataset()
    po_id = uuid.uuid4()
    drafts_only.add("orders.purchase_orders", (po_id, TENANT, "PO-1", MEASURED, "M", "EUR", None, "draft"))
    drafts_only.add("orders.purchase_order_lines", (uuid.uuid4(), po_id, 1))
    with pytest.raises(ValueError, match="no order with lines"):
        measured_order(drafts_only, MEASURED)


def test_the_pages_and_the_api_calls_they_wrap() -> None:
    order_id = uuid.UUID("00000000-0000-0000-0000-0000000000c1")

    pages = {page.name: (page.page, page.api, page.api_params) for page in web_pages(order_id)}

    assert pages == {
        "dashboard": ("/", "/portal/summary", {}),
        "orders_list": ("/purchase-orders", "/purchase-orders", {"limit": "25"}),
        "order_page": (f"/purchase-orders/{order_id}", f"/purchase-orders/{order_id}", {}),
    }


def test_the_csrf_token_is_read_from_the_forms_hidden_input() -> None:
    page = """<form method="post" action="/sign-in" novalidate>
    <input type="hidden" name="csrf_token" value="Ab-9_x&amp;y">
    <input type="hidden" name="next" value="/">"""

    assert csrf_token(page) == "Ab-9_x&y"
    assert csrf_token('<input value="first" type="hidden" name="csrf_token"><input name="csrf_token" value="x">') == (
        "first"
    )


def test_a_page_without_a_csrf_token_is_an_error() -> None:
    with pytest.raises(ValueError, match="no csrf_token"):
        csrf_token('<form><input type="hidden" name="next" value="/"></form>')


def test_the_ratios_divide_the_pages_percentiles_by_the_api_calls() -> None:
    page = {"count": 100, "p50_ms": 12.0, "p99_ms": 30.0, "max_ms": 41.0}
    api = {"count": 100, "p50_ms": 8.0, "p99_ms": 10.0, "max_ms": 11.0}

    assert page_to_api(page, api) == {"page_to_api_p50_ratio": 1.5, "page_to_api_p99_ratio": 3.0}
    assert page_to_api({"p50_ms": 10.0, "p99_ms": 20.0}, {"p50_ms": 3.0, "p99_ms": 0.0}) == {
        "page_to_api_p50_ratio": 3.33,
        "page_to_api_p99_ratio": None,
    }


def test_each_pages_ratios_are_met_at_or_below_the_target() -> None:
    assert TARGET_PAGE_TO_API_RATIO == 2.0
    pages = {
        "dashboard": {"page_to_api_p50_ratio": 1.4, "page_to_api_p99_ratio": 2.0},
        "orders_list": {"page_to_api_p50_ratio": 2.01, "page_to_api_p99_ratio": None},
    }

    assert web_pages_met(pages) == {
        "dashboard_page_to_api_p50": True,
        "dashboard_page_to_api_p99": True,
        "orders_list_page_to_api_p50": False,
        "orders_list_page_to_api_p99": False,
    }
    assert web_pages_met(pages, target=1.0)["dashboard_page_to_api_p50"] is False
