"""The words and numbers people read: amounts, quantities, dates, statuses."""

from __future__ import annotations

from typing import get_args

import pytest

from shared.contracts.matching import REASON_WORDS, Reason
from web.entrypoints.rendering import (
    INVOICE_STATUS_WORDS,
    changed_line,
    day,
    file_size,
    money,
    not_all_received,
    quantity,
    templates,
    tolerance_basis,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("1234.5", "1,234.50"), ("0", "0.00"), ("5000.00", "5,000.00"), ("1.105", "1.105"), (None, ""), ("x", "x")],
)
def test_amounts(value: str | None, shown: str) -> None:
    assert money(value) == shown


@pytest.mark.parametrize(("value", "shown"), [("40.0000", "40"), ("2.5000", "2.5"), ("0", "0"), ("1e2", "100")])
def test_quantities(value: str, shown: str) -> None:
    assert quantity(value) == shown


def test_dates() -> None:
    assert day("2027-06-15") == "15 Jun 2027"
    assert day("2026-12-06T01:34:11.168739Z") == "6 Dec 2026"


def test_every_invoice_status_has_the_words_of_the_seed() -> None:
    assert list(INVOICE_STATUS_WORDS.values()) == [
        "Draft",
        "Matching",
        "Pending",
        "Approved",
        "Rejected",
        "Canceled",
        "Partly paid",
        "Paid",
    ]


@pytest.mark.parametrize(
    ("size", "shown"), [(0, "0 bytes"), (512, "512 bytes"), (2048, "2.0 KB"), (3 * 1024**2, "3.0 MB")]
)
def test_file_sizes(size: int, shown: str) -> None:
    assert file_size(size) == shown


@pytest.mark.parametrize(
    ("rate", "amount", "limit", "shown"),
    [
        ("5", None, "250.00", "5 %"),
        ("5", "100", "100.00", "the amount 100.00 EUR, stricter than 5 %"),
        ("5", "300", "250.00", "5 %, stricter than the amount 300.00 EUR"),
        ("0", "100", "100.00", "the amount 100.00 EUR"),  # the amount alone was set
        ("0", "100", "0.00", "0 %, stricter than the amount 100.00 EUR"),
        (None, None, None, ""),  # a supplier's view
    ],
)
def test_what_set_the_tolerance_limit(rate: str | None, amount: str | None, limit: str | None, shown: str) -> None:
    verdict = {"tolerance_rate": rate, "tolerance_amount": amount, "tolerance_limit": limit, "currency": "EUR"}
    assert tolerance_basis(verdict) == shown


def test_a_line_invoicing_more_than_its_receipts_leave_is_not_all_received() -> None:
    line = {"received_quantity": "6", "previously_invoiced_quantity": "2", "invoiced_quantity": "5"}
    assert not_all_received(line) and changed_line(line)
    assert not not_all_received({**line, "invoiced_quantity": "4"})
    assert not not_all_received({**line, "received_quantity": None})  # not matched against receipts
    assert not not_all_received({**line, "not_invoiced": True})


def test_every_reason_has_words() -> None:
    assert set(REASON_WORDS) == set(get_args(Reason))


@pytest.mark.parametrize(
    ("rate", "amount", "shown"),
    [
        (None, None, ("Organisation default", "Organisation default")),
        ("5.0000", None, ("5 %", "None")),
        (None, "40.00", ("None", "40.00 EUR")),
        ("2.5", "100.00", ("2.5 %", "100.00 EUR")),
    ],
)
def test_a_suppliers_tolerance_is_its_own_or_the_organisations_default(
    rate: str | None, amount: str | None, shown: tuple[str, str]
) -> None:
    page = templates.env.from_string(
        '{% from "macros.html" import own_tolerance %}'
        '{{ own_tolerance(s, "tolerance_rate") }}|{{ own_tolerance(s, "tolerance_amount") }}'
    )
    supplier = {"tolerance_rate": rate, "tolerance_amount": amount, "currency": "EUR"}
    assert tuple(page.render(s=supplier).split("|")) == shown
