"""The invoice editor's rules: prefilled from an order, read back from a form, checked, totalled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.taxes import Totals
from web.domain.invoice_editor import Editor, EditorLine

ORDER = {
    "id": "po-1",
    "currency": "EUR",
    "lines": [
        {
            "id": "l1",
            "description": "Bolts",
            "quantity": "100.0000",
            "remaining_quantity": "40.0000",
            "unit_price": "0.5",
        },
        {"id": "l2", "description": "Nuts", "quantity": "10", "remaining_quantity": "0", "unit_price": "2.25"},
        {"id": "l3", "description": "Washers", "quantity": "3", "remaining_quantity": "2.5", "unit_price": "1.105"},
    ],
}


def totals_of(editor: Editor) -> Totals:
    totals = editor.totals()
    assert totals is not None, "every line has its numbers"
    return totals


def form_of(editor: Editor, **extra: str) -> dict[str, str]:
    values = {"line_count": str(len(editor.lines)), "number": editor.number, "issue_date": editor.issue_date}
    for index, line in enumerate(editor.lines):
        values |= {
            f"line-{index}-purchase_order_line_id": line.purchase_order_line_id,
            f"line-{index}-description": line.description,
            f"line-{index}-quantity": line.quantity,
            f"line-{index}-unit_price": line.unit_price,
            f"line-{index}-tax_rate": line.tax_rate,
        }
    return values | extra


def test_a_new_invoice_takes_what_remains_of_each_order_line_at_the_order_price() -> None:
    editor = Editor.from_order(ORDER)
    assert [(line.purchase_order_line_id, line.quantity, line.unit_price) for line in editor.lines] == [
        ("l1", "40", "0.50"),
        ("l3", "2.5", "1.105"),
    ]
    assert editor.lines[0].ordered_quantity == "100" and editor.lines[0].remaining_quantity == "40"


def test_the_net_total_rounds_each_line_half_up_to_cents() -> None:
    editor = Editor.from_order(ORDER)
    # 40 × 0.50 = 20.00; 2.5 × 1.105 = 2.7625 → 2.76
    assert totals_of(editor).net_total == Decimal("22.76")


def test_the_net_total_waits_while_a_line_has_no_number() -> None:
    editor = Editor.from_order(ORDER)
    typed = Editor.from_form(form_of(editor, **{"line-0-quantity": "4x"}), "EUR", ORDER)
    assert typed.totals() is None


def test_a_form_is_read_back_as_typed_and_cannot_bill_a_line_of_another_order() -> None:
    editor = Editor.from_order(ORDER).with_new_item()
    form = form_of(editor, **{"line-0-quantity": " 12 ", "line-1-purchase_order_line_id": "someone-elses"})
    typed = Editor.from_form(form, "EUR", ORDER)
    assert typed.lines[0].quantity == " 12 "
    assert typed.lines[1].purchase_order_line_id == ""  # not this order's: a new item at most
    assert typed.api_body()["lines"][0] == {
        "purchase_order_line_id": "l1",
        "description": "Bolts",
        "quantity": "12",
        "unit_price": "0.50",
        "tax_rate": "0",
    }


def test_removing_and_adding_lines() -> None:
    editor = Editor.from_order(ORDER)
    assert [line.purchase_order_line_id for line in editor.without_line(0).lines] == ["l3"]
    added = editor.with_new_item()
    assert added.lines[-1].new_item and added.lines[-1].quantity == "1"


def test_what_must_be_fixed_is_named_by_the_apis_field_names() -> None:
    editor = Editor(currency="EUR", lines=[EditorLine(description="", quantity="0", unit_price="-1")])
    problems = editor.problems(issue_date_required=True)
    assert set(problems) == {"number", "issue_date", "lines.0.description", "lines.0.quantity", "lines.0.unit_price"}
    assert Editor(currency="EUR").problems(issue_date_required=False) == {
        "number": "Enter the invoice number.",
        "lines": "An invoice needs at least one line.",
    }


def test_an_issue_date_is_asked_only_where_the_buyer_requires_it() -> None:
    editor = Editor.from_order(ORDER)
    editor.number = "INV-1"
    assert editor.problems(issue_date_required=False) == {}
    assert "issue_date" in editor.problems(issue_date_required=True)


prices = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=10_000, places=3, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(quantities, prices), min_size=1, max_size=20))
def test_the_net_total_is_the_sum_of_the_rounded_line_nets(lines: list[tuple[Decimal, Decimal]]) -> None:
    editor = Editor(
        currency="EUR", lines=[EditorLine(description="x", quantity=str(q), unit_price=str(p)) for q, p in lines]
    )
    total = totals_of(editor).net_total
    assert total is not None
    assert total == sum((line.net("EUR") or Decimal(0) for line in editor.lines), Decimal(0))
    assert total == total.quantize(Decimal("0.01"))


def test_each_line_is_taxed_at_its_rate_and_the_totals_add_up_to_gross() -> None:
    editor = Editor(
        currency="EUR",
        lines=[
            EditorLine(description="Bolts", quantity="3", unit_price="3.35", tax_rate="20"),  # 10.05 → 2.01
            EditorLine(description="Books", quantity="1", unit_price="10.00", tax_rate=""),  # empty: 0 %
        ],
    )
    totals = totals_of(editor)
    assert (totals.net_total, totals.tax_total, totals.gross_total) == (
        Decimal("20.05"),
        Decimal("2.01"),
        Decimal("22.06"),
    )
    assert [line["tax_rate"] for line in editor.api_body()["lines"]] == ["20", "0"]


def test_a_prefilled_line_takes_its_order_lines_tax_rate() -> None:
    order = {**ORDER, "lines": [{**ORDER["lines"][0], "tax_rate": "20.00"}]}
    assert [line.tax_rate for line in Editor.from_order(order).lines] == ["20"]


@pytest.mark.parametrize("typed", ["-1", "100.01", "twenty", "NaN"])
def test_a_tax_rate_outside_0_to_100_is_named_before_the_api_is_asked(typed: str) -> None:
    editor = Editor(
        currency="EUR",
        number="INV-1",
        lines=[EditorLine(description="Bolts", quantity="1", unit_price="1", tax_rate=typed)],
    )
    assert set(editor.problems(issue_date_required=False)) == {"lines.0.tax_rate"}
    assert editor.totals() is None
