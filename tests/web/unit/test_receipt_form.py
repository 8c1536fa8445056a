"""The "Record receipt" form: prefilled with what is still to receive, checked, and its API body."""

from __future__ import annotations

from datetime import date

from web.domain.receipt_form import ReceiptForm

ORDER = {
    "id": "po-1",
    "lines": [
        {"id": "l1", "line_no": 1, "quantity": "10.0000", "received_quantity": "6"},
        {"id": "l2", "line_no": 2, "quantity": "4", "received_quantity": "5"},
        {"id": "l3", "line_no": 3, "quantity": "2.5"},
    ],
}


def posted(*quantities: str, received_on: str = "2026-12-06", note: str = "") -> dict[str, str]:
    form = {"received_on": received_on, "note": note}
    form |= {f"receipt-line-{n}-quantity": q for n, q in enumerate(quantities)}
    return form


def test_each_line_is_prefilled_with_what_is_still_to_receive_never_below_zero() -> None:
    form = ReceiptForm.for_order(ORDER, date(2026, 12, 6))
    assert form.quantities == ["4", "0", "2.5"]
    assert form.received_on == "2026-12-06"


def test_lines_left_empty_or_at_zero_are_not_on_the_receipt() -> None:
    form = ReceiptForm.from_form(posted("4", "0", "", note="  first pallet "), ORDER)
    assert form.problems() == {}
    assert form.api_body() == {
        "received_on": "2026-12-06",
        "note": "first pallet",
        "lines": [{"purchase_order_line_id": "l1", "quantity": "4"}],
    }


def test_the_apis_names_of_the_receipts_lines_are_the_forms_names_of_the_order_lines() -> None:
    form = ReceiptForm.from_form(posted("", "0", "2"), ORDER)
    assert form.form_field("lines.0.quantity") == "lines.2.quantity"
    assert form.form_field("received_on") == "received_on"


def test_what_cannot_be_a_receipt_is_said_before_the_api_is_asked() -> None:
    assert ReceiptForm.from_form(posted("", "0", ""), ORDER).problems() == {
        "lines": "Enter what arrived of at least one line."
    }
    assert ReceiptForm.from_form(posted("two", "-1", "1", received_on=""), ORDER).problems() == {
        "received_on": "Enter the day the goods arrived.",
        "lines.0.quantity": "Enter a number, like 12 or 2.5.",
        "lines.1.quantity": "The quantity cannot be negative.",
    }
