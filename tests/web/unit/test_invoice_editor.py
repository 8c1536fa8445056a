"""The invoice editor's rules: prefilled from an order, read back from a form, checked, totalled."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

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


def form_of(editor: Editor, **extra: str) -> dict[str, str]:
    values = {"line_count": str(len(editor.lines)), "number": editor.number, "issue_date": editor.issue_date}
    for index, line in enumerate(editor.lines):
        values |= {
            f"line-{index}-purchase_order_line_id": line.purchase_order_line_id,
            f"line-{index}-description": line.description,
            f"line-{index}-quantity": line.quantity,
            f"line-{index}-unit_price": line.unit_price,
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
    assert editor.net_total() == Decimal("22.76")


def test_the_net_total_waits_while_a_line_has_no_number() -> None:
    editor = Editor.from_order(ORDER)
    typed = Editor.from_form(form_of(editor, **{"line-0-quantity": "4x"}), "EUR", ORDER)
    assert typed.net_total() is None


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
    total = editor.net_total()
    assert total is not None
    assert total == sum((line.net("EUR") or Decimal(0) for line in editor.lines), Decimal(0))
    assert total == total.quantize(Decimal("0.01"))
