"""When an invoice is due and when it is overdue: the supplier's payment terms (or its buyer's
default) counted in calendar days from the issue date. Plain Python."""

from __future__ import annotations

from datetime import date, timedelta

from invoicing.domain.status import Status

# The gateway's default for an organisation that never set one (and one not heard of yet).
DEFAULT_PAYMENT_TERMS_DAYS = 30
# Only an approved invoice that is still (partly) unpaid can be late with its payment.
AWAITING_PAYMENT = frozenset({Status.approved, Status.partly_paid})


def payment_terms_days(supplier_terms_days: int | None, organisation_default_days: int) -> int:
    """The supplier's own terms; where it has none, its buyer's default."""
    return organisation_default_days if supplier_terms_days is None else supplier_terms_days


def due_date_of(issue_date: date | None, submitted_on: date, terms_days: int) -> date:
    """The issue date plus the terms; an invoice without an issue date counts from its submission day."""
    return (issue_date or submitted_on) + timedelta(days=terms_days)


def is_overdue(status: Status, due_date: date | None, today: date) -> bool:
    """Awaiting payment after the due date: the due date itself is still in time."""
    return status in AWAITING_PAYMENT and due_date is not None and today > due_date
