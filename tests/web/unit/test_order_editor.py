"""The purchase order editor's rules: read back from a form as typed, checked, totalled, and the
API's bodies for a new order and for a change that keeps each line's identity."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.taxes import Totals
from web.domain.order_editor import OrderEditor, OrderLine, lines_may_change

ORDER = {
    "id": "po-1",
    "supplier_id": "s-1",
    "currency": "EUR",
    "delivery_date": "2027-06-15",
    "lines": [
        {
            "id": "l1",
            "description": "Bolts",
            "sku": "B-8",
            "unit": "pc",
            "quantity": "100.0000",
            "unit_price": "0.5",
            "invoiced_quantity": "0",
        },
        {
            "id": "l2",
            "description": "Nuts",
            "sku": None,
            "unit": None,
            "quantity": "2.5",
            "unit_price": "1.105",
            "invoiced_quantity": "0.0000",
        },
    ],
}


def totals_of(editor: OrderEditor) -> Totals:
    totals = editor.totals()
    assert totals is not None, "every line has its numbers"
    return totals


def form_of(editor: OrderEditor, **extra: str) -> dict[str, str]:
    values = {
        "supplier_id": editor.supplier_id,
        "currency": editor.currency,
        "delivery_date": editor.delivery_date,
        "delivery_address": editor.delivery_address,
        "line_count": str(len(editor.lines)),
    }
    for index, line in enumerate(editor.lines):
        values |= {
            f"line-{index}-id": line.line_id,
            f"line-{index}-description": line.description,
            f"line-{index}-sku": line.sku,
            f"line-{index}-unit": line.unit,
            f"line-{index}-quantity": line.quantity,
            f"line-{index}-unit_price": line.unit_price,
            f"line-{index}-tax_rate": line.tax_rate,
        }
    return values | extra


def test_an_order_opens_in_the_editor_as_a_person_would_type_it() -> None:
    editor = OrderEditor.from_order(ORDER)
    assert (editor.supplier_id, editor.currency, editor.delivery_date) == ("s-1", "EUR", "2027-06-15")
    assert [(line.line_id, line.quantity, line.unit_price, line.sku) for line in editor.lines] == [
        ("l1", "100", "0.50", "B-8"),
        ("l2", "2.5", "1.105", ""),
    ]


def test_the_net_total_rounds_each_line_half_up_to_cents() -> None:
    # 100 × 0.50 = 50.00; 2.5 × 1.105 = 2.7625 → 2.76
    assert totals_of(OrderEditor.from_order(ORDER)).net_total == Decimal("52.76")


def test_the_net_total_waits_while_a_line_has_no_number() -> None:
    typed = OrderEditor.from_form(form_of(OrderEditor.from_order(ORDER), **{"line-1-unit_price": "1,10"}))
    assert typed.totals() is None
    assert typed.lines[1].net("EUR") is None and typed.lines[0].net("EUR") == Decimal("50.00")


def test_the_currency_sets_how_a_line_net_is_rounded() -> None:
    editor = OrderEditor(currency="JPY", lines=[OrderLine(quantity="3", unit_price="33.5")])
    assert totals_of(editor).net_total == Decimal("101")


def test_a_form_cannot_revise_a_line_of_another_order() -> None:
    editor = OrderEditor.from_order(ORDER)
    typed = OrderEditor.from_form(form_of(editor, **{"line-1-id": "someone-elses"}), known_line_ids={"l1", "l2"})
    assert [line.line_id for line in typed.lines] == ["l1", ""]
    assert OrderEditor.from_form(form_of(editor)).lines[0].line_id == ""  # a new order revises no line


def test_the_currency_is_read_in_capitals_and_the_typing_is_kept() -> None:
    typed = OrderEditor.from_form(
        form_of(OrderEditor.from_order(ORDER), currency=" eur ", **{"line-0-quantity": " 12 "})
    )
    assert typed.currency == "EUR"
    assert typed.lines[0].quantity == " 12 "


def test_a_new_order_starts_with_one_line_and_lines_come_and_go() -> None:
    editor = OrderEditor.new("s-1", "EUR")
    assert len(editor.lines) == 1 and editor.lines[0].quantity == "1"
    added = editor.with_new_line().with_new_line()
    assert len(added.lines) == 3
    assert OrderEditor.from_order(ORDER).without_line(0).lines[0].line_id == "l2"


def test_a_line_added_and_left_empty_is_left_out_when_saving() -> None:
    editor = OrderEditor.from_order(ORDER).with_new_line()
    assert editor.lines[-1].untouched
    assert [line.line_id for line in editor.without_untouched_lines().lines] == ["l1", "l2"]
    # A line of the order stays even when emptied: the person is asked to fill it in or remove it.
    emptied = OrderEditor.from_form(form_of(editor, **{"line-0-description": ""}), known_line_ids={"l1", "l2"})
    assert len(emptied.without_untouched_lines().lines) == 2


def test_what_the_person_must_fix_is_named_as_the_api_names_it() -> None:
    editor = OrderEditor(
        lines=[
            OrderLine(description="", quantity="0", unit_price="-1"),
            OrderLine(description="Tape", quantity="two", unit_price="x"),
        ]
    )
    assert editor.problems() == {
        "supplier_id": "Choose the supplier.",
        "lines.0.description": "Describe what is ordered.",
        "lines.0.quantity": "The quantity must be above zero.",
        "lines.0.unit_price": "The price cannot be negative.",
        "lines.1.quantity": "Enter a number, like 12 or 2.5.",
        "lines.1.unit_price": "Enter a price, like 49.90.",
    }
    assert OrderEditor(supplier_id="s-1").problems() == {"lines": "An order needs at least one line."}


def test_a_delivery_date_can_be_moved_but_not_removed() -> None:
    editor = OrderEditor.from_order(ORDER)
    editor.delivery_date = ""
    assert editor.problems(had_delivery_date=True) == {"delivery_date": "The delivery date can be moved, not removed."}
    assert editor.problems(had_delivery_date=False) == {}


def test_the_body_of_a_new_order() -> None:
    typed = OrderEditor.from_form(
        form_of(OrderEditor.new("s-1", "EUR"), **{"line-0-description": " Tape ", "line-0-unit_price": "4 "})
    )
    assert typed.create_body() == {
        "supplier_id": "s-1",
        "currency": "EUR",
        "delivery_date": None,
        "delivery_address": None,
        "lines": [
            {"description": "Tape", "quantity": "1", "unit_price": "4", "tax_rate": "0", "sku": None, "unit": None}
        ],
    }


def test_a_change_names_each_line_it_revises_and_leaves_invoiced_lines_alone() -> None:
    editor = OrderEditor.from_order(ORDER).with_new_line()
    editor.lines[-1] = OrderLine(description="Washers", quantity="10", unit_price="0.1")
    body = editor.change_body()
    assert body["delivery_date"] == "2027-06-15"
    assert [line.get("id") for line in body["lines"]] == ["l1", "l2", None]
    assert editor.change_body(lines_may_change=False) == {"delivery_date": "2027-06-15", "delivery_address": ""}


def test_a_delivery_address_is_sent_as_typed_and_emptying_it_asks_for_the_buyers_address() -> None:
    typed = OrderEditor.from_form(
        form_of(OrderEditor.from_order(ORDER), delivery_address="  Warehouse 3\r\nDock 12\r\n ")
    )
    assert typed.delivery_address == "Warehouse 3\r\nDock 12"
    assert typed.change_body()["delivery_address"] == "Warehouse 3\r\nDock 12"
    assert OrderEditor.from_order({**ORDER, "delivery_address": "Dock 12"}).delivery_address == "Dock 12"
    emptied = OrderEditor.from_form(
        form_of(OrderEditor.from_order({**ORDER, "delivery_address": "Dock 12"}), delivery_address=" ")
    )
    # An emptied address is sent empty: the API clears it, and the order goes to the buyer's address.
    assert emptied.change_body()["delivery_address"] == ""
    assert emptied.create_body()["delivery_address"] is None


def test_once_a_line_is_invoiced_only_the_date_of_an_order_can_change() -> None:
    assert lines_may_change(ORDER)
    invoiced: dict[str, Any] = {**ORDER, "lines": [{**ORDER["lines"][0], "invoiced_quantity": "1.5"}]}
    assert not lines_may_change(invoiced)


numbers = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4, allow_nan=False)
prices = st.decimals(min_value=Decimal(0), max_value=Decimal("9999"), places=3, allow_nan=False)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
lines = st.builds(
    OrderLine,
    description=texts,
    sku=texts,
    unit=texts,
    quantity=numbers.map(str),
    unit_price=prices.map(str),
    line_id=st.sampled_from(["", "l1", "l2"]),
)


@given(st.lists(lines, max_size=8))
def test_a_form_reads_back_the_editor_it_was_made_of(order_lines: list[OrderLine]) -> None:
    editor = OrderEditor(supplier_id="s-1", currency="EUR", delivery_date="2027-01-31", lines=order_lines)
    assert OrderEditor.from_form(form_of(editor), known_line_ids={"l1", "l2"}) == editor


@given(st.lists(lines, min_size=1, max_size=8))
def test_the_net_total_is_the_sum_of_the_line_nets_shown(order_lines: list[OrderLine]) -> None:
    editor = OrderEditor(currency="EUR", lines=order_lines)
    nets = [line.net("EUR") for line in editor.lines]
    assert totals_of(editor).net_total == sum((net for net in nets if net is not None), Decimal(0))


@given(st.lists(lines, min_size=1, max_size=8), st.data())
def test_removing_a_line_keeps_the_others_in_their_order(order_lines: list[OrderLine], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(order_lines) - 1))
    editor = OrderEditor(lines=order_lines)
    assert editor.without_line(index).lines == order_lines[:index] + order_lines[index + 1 :]


def test_a_new_order_takes_the_organisations_three_way_matching_and_the_box_as_ticked() -> None:
    editor = OrderEditor.new("s-1", "EUR", match_against_receipts=True)
    assert editor.match_against_receipts is True
    shown = {"match_against_receipts_shown": "yes"}
    ticked = OrderEditor.from_form(form_of(editor, **shown, match_against_receipts="yes"))
    assert ticked.create_body()["match_against_receipts"] is True
    unticked = OrderEditor.from_form(form_of(editor, **shown))
    assert unticked.create_body()["match_against_receipts"] is False
    assert unticked.change_body()["match_against_receipts"] is False


def test_a_sent_orders_change_shows_no_box_and_leaves_its_matching_alone() -> None:
    sent = OrderEditor.from_order(ORDER | {"status": "sent", "match_against_receipts": True})
    assert sent.match_against_receipts is None
    assert "match_against_receipts" not in sent.change_body()
    assert "match_against_receipts" not in OrderEditor.from_form(form_of(sent)).change_body()
    draft = OrderEditor.from_order(ORDER | {"status": "draft", "match_against_receipts": True})
    assert draft.match_against_receipts is True
