"""The read path's bulk made one block of suppliers at a time: the same rows whatever the size of
the blocks, each block whole on its own, and what the benchmark reports counted block by block."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest

from bench.read_path import TEXT_COPY, copy_text
from bench.read_path_data import (
    COLUMNS,
    INVOICEABLE,
    TAX_RATE,
    Dataset,
    Tally,
    chunks,
    measured_order,
    shares,
    snapshot_line,
)
from shared.contracts.invoicing import LIVE_INVOICE_STATUSES
from shared.taxes import line_tax
from tests.bench.unit.conftest import ADMIN, MEASURED, NOW, TENANT

SIZES = {"purchase_orders": 600, "invoices": 1_200, "suppliers": 20}


def blocks(chunk_orders: int, **sizes: int) -> list[Dataset]:
    return list(
        chunks(
            tenant_id=TENANT,
            initiator_id=ADMIN,
            measured=(MEASURED, "Measured"),
            now=NOW,
            chunk_orders=chunk_orders,
            **(SIZES | sizes),
        )
    )


def together(parts: list[Dataset]) -> Dataset:
    whole = Dataset()
    for part in parts:
        whole.extend(part)
    return whole


def suppliers_of(block: Dataset) -> set[Any]:
    return {row[3] for row in block.rows["orders.purchase_orders"]}


@pytest.mark.parametrize("chunk_orders", [1, 50, 100, 10_000])
def test_the_blocks_together_are_the_rows_made_at_once_whatever_their_size(data: Dataset, chunk_orders: int) -> None:
    assert together(blocks(chunk_orders)).rows == data.rows


def test_a_block_ends_with_the_supplier_that_brings_it_to_the_asked_number_of_orders() -> None:
    counts = shares(SIZES["purchase_orders"], SIZES["suppliers"])

    one_each = blocks(1)
    by_fifty = blocks(50)

    assert [len(suppliers_of(block)) for block in one_each] == [1] * SIZES["suppliers"]
    assert [block.count("orders.purchase_orders") for block in one_each] == counts
    # The measured supplier's 12 orders and two suppliers of 31, then two suppliers a block.
    assert counts[:3] == [12, 31, 31]
    assert [block.count("orders.purchase_orders") for block in by_fifty][:3] == [74, 62, 62]
    assert all(block.count("orders.purchase_orders") < 50 + max(counts) for block in by_fifty)


def test_no_supplier_is_split_between_blocks_and_every_reference_stays_within_its_block() -> None:
    seen: set[Any] = set()
    for block in blocks(50):
        suppliers = suppliers_of(block)
        assert not suppliers & seen
        seen |= suppliers
        orders = {row[0] for row in block.rows["orders.purchase_orders"]}
        order_lines = {row[0] for row in block.rows["orders.purchase_order_lines"]}
        invoices = {row[0] for row in block.rows["invoicing.invoices"]}
        assert {row[1] for row in block.rows["orders.purchase_order_lines"]} <= orders
        assert {row[0] for row in block.rows["invoicing.purchase_orders"]} <= orders
        assert {row[3] for row in block.rows["invoicing.invoices"]} <= orders
        assert {row[2] for row in block.rows["invoicing.invoices"]} <= suppliers
        assert {row[1] for row in block.rows["invoicing.invoice_lines"]} <= invoices
        assert {row[3] for row in block.rows["invoicing.invoice_lines"]} <= order_lines
        assert {row[1] for row in block.rows["invoicing.payments"]} <= invoices
    assert len(seen) == SIZES["suppliers"]


def test_the_tally_of_the_blocks_is_what_the_whole_holds(data: Dataset) -> None:
    tally = Tally(MEASURED, "pending")

    passed = list(tally.counted(iter(blocks(50))))

    assert len(passed) > 1
    assert dict(tally.rows) == {table: data.count(table) for table in COLUMNS}
    assert tally.visible_purchase_orders == sum(
        1 for row in data.rows["orders.purchase_orders"] if row[3] == MEASURED and row[7] != "draft"
    )
    assert tally.invoices_in_status == sum(
        1 for row in data.rows["invoicing.invoices"] if row[2] == MEASURED and row[8] == "pending"
    )
    assert tally.order == measured_order(data, MEASURED)


def test_the_tally_knows_the_fullest_order_only_once_it_has_seen_the_supplier() -> None:
    tally = Tally(uuid.uuid4(), "pending")
    tally.add(blocks(50)[0])

    with pytest.raises(ValueError, match="no order with lines"):
        _ = tally.order


def test_the_shares_hold_at_full_size_and_in_every_block_of_it() -> None:
    counts = shares(1_000_000, 10_000)

    assert counts[0] == 20_000
    assert sum(counts) == 1_000_000
    assert set(counts[1:]) == {98, 99}
    assert shares(2_000_000, 10_000)[0] == 40_000


def test_order_lines_are_taxed_as_the_service_taxes_them(data: Dataset) -> None:
    for line in data.rows["orders.purchase_order_lines"]:
        row = dict(zip(COLUMNS["orders.purchase_order_lines"], line, strict=True))
        assert row["tax_amount"] == line_tax(row["net_amount"], TAX_RATE, "EUR")
        assert row["invoiced_quantity"] >= 0 and row["quantity"] >= 1


def test_an_invoice_comes_after_its_order_and_before_now(data: Dataset) -> None:
    created = {row[0]: row[10] for row in data.rows["orders.purchase_orders"]}
    for invoice in data.rows["invoicing.invoices"]:
        row = dict(zip(COLUMNS["invoicing.invoices"], invoice, strict=True))
        assert created[row["purchase_order_id"]] <= row["created_at"] <= NOW
        assert row["issue_date"] == row["created_at"].date()


def test_live_invoices_bill_lines_of_orders_that_are_out_with_the_supplier(data: Dataset) -> None:
    statuses = {row[0]: row[7] for row in data.rows["orders.purchase_orders"]}
    live = [row for row in data.rows["invoicing.invoices"] if row[8] in LIVE_INVOICE_STATUSES]

    assert live
    assert {statuses[row[3]] for row in live} <= set(INVOICEABLE)


def test_the_read_models_lines_are_the_json_of_the_orders_lines(data: Dataset) -> None:
    lines: dict[Any, list[dict[str, Any]]] = {}
    for line in data.rows["orders.purchase_order_lines"]:
        row = dict(zip(COLUMNS["orders.purchase_order_lines"], line, strict=True))
        lines.setdefault(row["purchase_order_id"], []).append(
            {
                "line_id": str(row["id"]),
                "line_no": row["line_no"],
                "description": row["description"],
                "quantity": str(row["quantity"]),
                "unit_price": str(row["unit_price"]),
                "net_amount": str(row["net_amount"]),
                "tax_rate": str(row["tax_rate"]),
            }
        )
    for seen in data.rows["invoicing.purchase_orders"]:
        assert seen[7] == json.dumps(lines[seen[0]])
    one = uuid.UUID("00000000-0000-0000-0000-0000000000d1")
    assert json.loads(snapshot_line(one, 2, "Article 7", 3, 4, 12)) == {
        "line_id": str(one),
        "line_no": 2,
        "description": "Article 7",
        "quantity": "3",
        "unit_price": "4",
        "net_amount": "12",
        "tax_rate": "20",
    }


def test_the_ids_are_version_4_uuids_that_equal_and_hash_as_the_standard_ones(data: Dataset) -> None:
    # The read models of a supplier and of an order have the ids of what they stand for.
    owners = [table for table in COLUMNS if table not in ("invoicing.purchase_orders", "invoicing.suppliers")]
    ids = [row[0] for table in owners for row in data.rows[table]]

    assert len(set(ids)) == len(ids)
    assert {found.version for found in ids} == {4}
    assert all(isinstance(found, uuid.UUID) for found in ids)
    first = ids[0]
    assert uuid.UUID(str(first)) == first and hash(uuid.UUID(str(first))) == hash(first)


async def test_the_tables_copied_as_text_are_written_one_row_a_line_with_none_for_null(data: Dataset) -> None:
    for table in TEXT_COPY:
        rows = data.rows[table]
        text = b"".join([part async for part in copy_text(rows, batch=7)]).decode()

        lines = text.split("\n")
        assert lines.pop() == ""
        assert len(lines) == len(rows)
        for line, row in zip(lines, rows, strict=True):
            values = line.split("\t")
            assert values == ["None" if value is None else str(value) for value in row]
            assert not any("\\" in value for value in values)


def test_the_ids_and_values_of_the_text_tables_never_hold_what_the_text_format_escapes(data: Dataset) -> None:
    kinds = Counter(type(value).__name__ for table in TEXT_COPY for row in data.rows[table] for value in row)

    assert set(kinds) <= {"UUID", "int", "str", "Decimal", "NoneType"}
    for table in TEXT_COPY:
        for row in data.rows[table]:
            assert not any(isinstance(value, str) and (set(value) & {"\t", "\n", "\r", "\\"}) for value in row)
            assert "None" not in [value for value in row if isinstance(value, str)]
