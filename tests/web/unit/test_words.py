"""The words and numbers people read: amounts, quantities, dates, statuses."""

from __future__ import annotations

import pytest

from web.entrypoints.rendering import INVOICE_STATUS_WORDS, day, file_size, money, quantity, templates


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
