"""The rows the read-path benchmark loads: shares, totals, statuses and references that agree."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from bench.read_path import _first_index, page_queries, percentiles
from bench.read_path_data import COLUMNS, INVOICE_STATUSES, PO_STATUSES, Dataset, generate, shares
from shared.contracts.invoicing import LIVE_INVOICE_STATUSES
from shared.money import line_net, round_money
from tests.bench.unit.conftest import ADMIN, MEASURED, NOW, TENANT


def rows(data: Dataset, table: str) -> list[dict[str, Any]]:
    return [dict(zip(COLUMNS[table], row, strict=True)) for row in data.rows[table]]


def test_shares_give_the_measured_supplier_its_share_and_split_the_rest_evenly() -> None:
    counts = shares(1_000, 11, measured_share=0.1)

    assert counts == [100] + [90] * 10
    assert sum(shares(100_000, 1_000)) == 100_000
    assert shares(100_000, 1_000)[0] == 2_000


def test_shares_give_every_supplier_at_least_one_document() -> None:
    counts = shares(10, 10, measured_share=0.5)

    assert counts == [1] * 10


def test_shares_refuse_fewer_documents_than_suppliers() -> None:
    with pytest.raises(ValueError, match="one document per supplier"):
        shares(5, 10)


def test_every_row_has_one_value_per_column(data: Dataset) -> None:
    for table, loaded in data.rows.items():
        assert {len(row) for row in loaded} == {len(COLUMNS[table])}, table


def test_the_asked_numbers_of_orders_and_invoices_are_generated_for_the_tenant(data: Dataset) -> None:
    orders = rows(data, "orders.purchase_orders")
    invoices = rows(data, "invoicing.invoices")

    assert len(orders) == 600
    assert len(invoices) == 1_200
    assert {row["tenant_id"] for row in orders + invoices} == {TENANT}
    assert len({row["supplier_id"] for row in orders}) == 20
    assert sum(row["supplier_id"] == MEASURED for row in orders) == 12
    assert sum(row["supplier_id"] == MEASURED for row in invoices) == 24


def test_the_measured_supplier_is_left_out_of_the_loaded_read_models_because_the_product_made_it(
    data: Dataset,
) -> None:
    assert len(data.rows["orders.suppliers"]) == len(data.rows["invoicing.suppliers"]) == 19
    assert MEASURED not in {row["id"] for row in rows(data, "orders.suppliers")}


def test_order_totals_are_the_sums_of_their_line_nets_in_cents_as_the_service_stores_them(data: Dataset) -> None:
    nets: Counter[Any] = Counter()
    for line in rows(data, "orders.purchase_order_lines"):
        assert str(line["net_amount"]) == str(line_net(line["quantity"], line["unit_price"], "EUR"))
        nets[line["purchase_order_id"]] += line["net_amount"]
    for order in rows(data, "orders.purchase_orders"):
        assert str(order["net_total"]) == str(round_money(nets[order["id"]], "EUR"))


def test_invoice_totals_are_the_sums_of_their_line_figures_and_paid_ones_carry_their_payments(data: Dataset) -> None:
    nets: Counter[Any] = Counter()
    taxes: Counter[Any] = Counter()
    for line in rows(data, "invoicing.invoice_lines"):
        nets[line["invoice_id"]] += line["net_amount"]
        taxes[line["invoice_id"]] += line["tax_amount"]
    paid = {payment["invoice_id"]: payment["amount"] for payment in rows(data, "invoicing.payments")}
    for invoice in rows(data, "invoicing.invoices"):
        assert invoice["net_total"] == nets[invoice["id"]]
        assert invoice["tax_total"] == taxes[invoice["id"]]
        assert invoice["gross_total"] == invoice["net_total"] + invoice["tax_total"]
        if invoice["status"] == "paid":
            assert paid[invoice["id"]] == invoice["gross_total"]
        elif invoice["status"] == "partly_paid":
            assert Decimal(0) < paid[invoice["id"]] < invoice["gross_total"]
        else:
            assert invoice["id"] not in paid


def test_statuses_are_the_products_and_every_one_occurs(data: Dataset) -> None:
    assert {row["status"] for row in rows(data, "orders.purchase_orders")} == set(PO_STATUSES)
    assert {row["status"] for row in rows(data, "invoicing.invoices")} == set(INVOICE_STATUSES)
    drafts = [row for row in rows(data, "invoicing.invoices") if row["status"] == "draft"]
    assert all(row["submission"] == 0 and row["submitted_at"] is None for row in drafts)


def test_invoices_bill_lines_of_a_non_draft_order_of_their_own_supplier(data: Dataset) -> None:
    orders = {row["id"]: row for row in rows(data, "orders.purchase_orders")}
    line_order = {line["id"]: line["purchase_order_id"] for line in rows(data, "orders.purchase_order_lines")}
    invoices = {row["id"]: row for row in rows(data, "invoicing.invoices")}
    for invoice in invoices.values():
        order = orders[invoice["purchase_order_id"]]
        assert order["supplier_id"] == invoice["supplier_id"]
        assert order["status"] not in ("draft", "canceled")
        assert order["number"] == invoice["purchase_order_number"]
    for line in rows(data, "invoicing.invoice_lines"):
        assert line_order[line["purchase_order_line_id"]] == invoices[line["invoice_id"]]["purchase_order_id"]


def test_invoiced_quantities_of_order_lines_count_only_live_invoices(data: Dataset) -> None:
    live = {row["id"] for row in rows(data, "invoicing.invoices") if row["status"] in LIVE_INVOICE_STATUSES}
    billed: Counter[Any] = Counter()
    for line in rows(data, "invoicing.invoice_lines"):
        if line["invoice_id"] in live:
            billed[line["purchase_order_line_id"]] += line["quantity"]
    for line in rows(data, "orders.purchase_order_lines"):
        assert line["invoiced_quantity"] == billed[line["id"]]


def test_numbers_are_unique_within_the_tenant(data: Dataset) -> None:
    orders = rows(data, "orders.purchase_orders")
    invoices = rows(data, "invoicing.invoices")

    assert len({row["number"] for row in orders}) == len(orders)
    assert len({row["number"] for row in invoices}) == len(invoices)


def test_the_invoicing_read_model_holds_every_order_the_supplier_has_seen(data: Dataset) -> None:
    sent = {row["id"] for row in rows(data, "orders.purchase_orders") if row["status"] != "draft"}

    assert {row["id"] for row in rows(data, "invoicing.purchase_orders")} == sent


def test_the_same_seed_generates_the_same_rows() -> None:
    def small(seed: int) -> Dataset:
        return generate(
            tenant_id=TENANT,
            initiator_id=ADMIN,
            measured=(MEASURED, "Measured"),
            purchase_orders=30,
            invoices=60,
            suppliers=3,
            now=NOW,
            seed=seed,
        )

    assert small(1).rows == small(1).rows
    assert small(1).rows != small(2).rows


def test_percentiles_of_a_hundred_samples() -> None:
    figures = percentiles([float(n) for n in range(1, 101)])

    assert figures == {"count": 100, "p50_ms": 50.5, "p99_ms": 99.01, "max_ms": 100.0}


def test_percentiles_of_one_sample_are_that_sample() -> None:
    assert percentiles([7.0]) == {"count": 1, "p50_ms": 7.0, "p99_ms": 7.0, "max_ms": 7.0}


def test_percentiles_of_nothing_are_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentiles([])


def test_the_first_index_of_a_plan_is_found_depth_first() -> None:
    plan = {
        "Node Type": "Limit",
        "Plans": [
            {"Node Type": "Nested Loop", "Plans": [{"Node Type": "Seq Scan"}, {"Index Name": "ix_inner"}]},
            {"Index Name": "ix_later"},
        ],
    }

    assert _first_index(plan) == "ix_inner"
    assert _first_index({"Node Type": "Seq Scan"}) is None


def test_the_timed_page_queries_are_the_services_own_for_the_measured_supplier() -> None:
    queries = page_queries(MEASURED)

    assert {name for name, _ in queries.values()} == {"purchase_orders_first_page", "invoices_by_status_first_page"}
    for _, sql in queries.values():
        assert f"IN ('{MEASURED}')" in sql and "json_build_object" in sql and sql.rstrip().endswith("LIMIT 51")
    assert "invoices.status = 'pending'" in queries["invoicing"][1]
