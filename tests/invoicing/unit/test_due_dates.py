"""Due dates and overdue invoices: the supplier's payment terms counted in calendar days from the
issue date (the submission day without one), and late only after the due date has passed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.domain.payment_terms import due_date_of, is_overdue, payment_terms_days
from invoicing.domain.status import Status
from tests.invoicing.unit.fakes import make_invoice, make_po, make_verdict


@pytest.mark.parametrize(
    "issue_date, terms, due",
    [
        (date(2028, 1, 31), 30, date(2028, 3, 1)),  # through a leap February
        (date(2027, 1, 31), 30, date(2027, 3, 2)),  # through a common February
        (date(2028, 2, 29), 365, date(2029, 2, 28)),  # a year of days from a leap day
        (date(2028, 2, 28), 1, date(2028, 2, 29)),
        (date(2027, 12, 31), 1, date(2028, 1, 1)),
        (date(2028, 5, 15), 0, date(2028, 5, 15)),  # payable on receipt
    ],
)
def test_the_due_date_is_the_issue_date_plus_the_terms_in_calendar_days(
    issue_date: date, terms: int, due: date
) -> None:
    assert due_date_of(issue_date, date(2028, 6, 1), terms) == due


def test_an_invoice_without_an_issue_date_is_due_counting_from_its_submission_day() -> None:
    assert due_date_of(None, date(2028, 2, 20), 10) == date(2028, 3, 1)


def test_the_suppliers_own_terms_win_over_the_organisations_default_even_when_zero() -> None:
    assert payment_terms_days(10, 30) == 10
    assert payment_terms_days(0, 30) == 0
    assert payment_terms_days(None, 45) == 45


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 3650))
def test_the_due_date_is_exactly_as_many_days_after_the_issue_date_as_the_terms_give(issue: date, terms: int) -> None:
    due = due_date_of(issue, issue + timedelta(days=7), terms)
    assert (due - issue).days == terms
    assert not is_overdue(Status.approved, due, due)
    assert is_overdue(Status.approved, due, due + timedelta(days=1))


@pytest.mark.parametrize("status", [Status.approved, Status.partly_paid])
def test_an_invoice_awaiting_payment_is_overdue_the_day_after_its_due_date_and_not_on_it(status: Status) -> None:
    due = date(2028, 3, 1)
    assert not is_overdue(status, due, date(2028, 2, 29))
    assert not is_overdue(status, due, due)
    assert is_overdue(status, due, date(2028, 3, 2))


@pytest.mark.parametrize(
    "status", [Status.draft, Status.matching, Status.pending, Status.rejected, Status.canceled, Status.paid]
)
def test_an_invoice_not_awaiting_payment_is_never_overdue(status: Status) -> None:
    assert not is_overdue(status, date(2028, 3, 1), date(2030, 1, 1))


def test_an_invoice_never_submitted_has_no_due_date_and_is_not_overdue() -> None:
    assert not is_overdue(Status.approved, None, date(2030, 1, 1))


def test_submitting_sets_the_due_date_and_a_resubmission_recomputes_it_with_the_terms_then() -> None:
    invoice = make_invoice(make_po())
    invoice.issue_date = date(2028, 1, 31)
    invoice.submit(datetime(2028, 2, 5, 23, 59, tzinfo=UTC), payment_terms_days=30)
    assert invoice.due_date == date(2028, 3, 1)
    [submitted] = invoice.events
    assert submitted.due_date == date(2028, 3, 1)  # type: ignore[attr-defined]

    invoice.record_verdict(
        make_verdict(invoice, "needs_approval"), approver_id=invoice.initiator_id, now=datetime.now(UTC)
    )  # type: ignore[arg-type]
    invoice.reject(invoice.initiator_id, is_admin=True, reason="wrong price", now=datetime.now(UTC))  # type: ignore[arg-type]
    invoice.edit({"issue_date": None}, datetime.now(UTC))
    invoice.submit(datetime(2028, 2, 10, 8, 0, tzinfo=UTC), payment_terms_days=10)
    assert invoice.due_date == date(2028, 2, 20)


def test_an_auto_approved_invoice_past_its_due_date_is_overdue() -> None:
    invoice = make_invoice(make_po())
    invoice.issue_date = date(2028, 1, 1)
    invoice.submit(datetime(2028, 1, 2, tzinfo=UTC), payment_terms_days=10)
    assert not invoice.overdue_on(date(2028, 1, 20))  # matching: not yet owed
    invoice.record_verdict(make_verdict(invoice), approver_id=invoice.initiator_id, now=datetime.now(UTC))  # type: ignore[arg-type]
    assert not invoice.overdue_on(date(2028, 1, 11))
    assert invoice.overdue_on(date(2028, 1, 12))
