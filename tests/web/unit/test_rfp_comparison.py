"""The proposals side by side: a column per invited supplier, the best price of each line marked."""

from __future__ import annotations

from typing import Any

from web.domain.rfp_comparison import compare

RFP = {
    "supplier_ids": ["a", "b", "c"],
    "lines": [
        {"id": "x1", "line_no": 1, "description": "Bolts", "quantity": "100", "unit": "pcs"},
        {"id": "x2", "line_no": 2, "description": "Washers", "quantity": "50", "unit": None},
    ],
}
NAMES = {"a": "Alpha", "b": "Beta", "c": "Gamma"}


def proposal(
    supplier: str, status: str = "submitted", currency: str = "EUR", total: str | None = "1"
) -> dict[str, Any]:
    return {
        "proposal_id": f"p-{supplier}",
        "supplier_id": supplier,
        "status": status,
        "currency": currency,
        "total": total,
    }


def offer(supplier: str, price: str | None) -> dict[str, Any]:
    return {"supplier_id": supplier, "proposal_id": f"p-{supplier}", "unit_price": price, "line_total": price}


def answers(proposals: list[dict[str, Any]], bolts: list[dict[str, Any]], washers: list[dict[str, Any]]) -> dict:
    return {
        "proposals": proposals,
        "lines": [{"rfp_line_id": "x1", "offers": bolts}, {"rfp_line_id": "x2", "offers": washers}],
    }


def test_each_invited_supplier_has_a_column_answered_or_not() -> None:
    seen = compare(RFP, answers([proposal("b")], [offer("b", "0.12")], [offer("b", None)]), NAMES)
    assert [(c.supplier_name, c.status, c.priced_lines) for c in seen.columns] == [
        ("Alpha", "", 0),
        ("Beta", "submitted", 1),
        ("Gamma", "", 0),
    ]
    assert [cell.words or cell.unit_price for cell in seen.rows[0].cells] == ["No answer", "0.12", "No answer"]
    assert [cell.words for cell in seen.rows[1].cells] == ["No answer", "Declined", "No answer"]
    assert seen.answered == 1


def test_the_lowest_price_of_a_line_is_the_best_and_ties_share_it() -> None:
    seen = compare(
        RFP,
        answers(
            [proposal("a"), proposal("b"), proposal("c")],
            [offer("a", "0.15"), offer("b", "0.12"), offer("c", "0.120")],
            [offer("a", "0.50"), offer("b", None), offer("c", "0.70")],
        ),
        NAMES,
    )
    assert [cell.best for cell in seen.rows[0].cells] == [False, True, True]
    assert [cell.best for cell in seen.rows[1].cells] == [True, False, False]


def test_a_single_price_is_the_only_offer_not_a_best_price() -> None:
    seen = compare(RFP, answers([proposal("a"), proposal("b")], [offer("a", "1"), offer("b", None)], []), NAMES)
    bolts = seen.rows[0].cells
    assert (bolts[0].best, bolts[0].only_offer) == (False, True)


def test_prices_compare_only_within_one_currency() -> None:
    seen = compare(
        RFP,
        answers(
            [proposal("a", currency="EUR"), proposal("b", currency="USD"), proposal("c", currency="EUR")],
            [offer("a", "2"), offer("b", "1"), offer("c", "3")],
            [],
        ),
        NAMES,
    )
    assert [(cell.best, cell.only_offer) for cell in seen.rows[0].cells] == [
        (True, False),
        (False, True),
        (False, False),
    ]
    assert seen.currencies == ["EUR", "USD"]


def test_a_proposal_declining_everything_declines_each_line() -> None:
    seen = compare(
        RFP, answers([proposal("a", status="rejected", total=None)], [offer("a", None)], [offer("a", None)]), NAMES
    )
    assert [row.cells[0].words for row in seen.rows] == ["Declined", "Declined"]
    assert seen.columns[0].priced_lines == 0
