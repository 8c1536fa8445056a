"""The reminder emails (subject, facts, the invoice's page) and the day an operator's pass runs as."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from notifier.admin import reminder_day
from notifier.domain import messages
from notifier.domain.read_models import PortalUser
from notifier.domain.reminders import TrackedInvoice
from tests.notifier.rendered import APPROVER, PORTAL_URL, SUPPLIER, SUPPLIER_ID, TENANT, render

INVOICE = TrackedInvoice(
    invoice_id=uuid4(),
    tenant_id=TENANT,
    supplier_id=SUPPLIER_ID,
    number="INV-1",
    purchase_order_number="PO-000001",
    currency="EUR",
    gross_total=Decimal("1190.00"),
    balance_due=Decimal("690.00"),
    status="pending",
    submission=1,
    revision=3,
    approver_id=APPROVER.user_id,
    pending_since=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    due_date=date(2026, 12, 31),
)
ADMIN = PortalUser(
    user_id=uuid4(),
    tenant_id=TENANT,
    email="ada@buyer.example",
    name="Ada Admin",
    role="buyer_admin",
    active=True,
    updated_at=datetime(2026, 11, 1, tzinfo=UTC),
)


def test_approval_reminder_tells_the_approver_how_long_the_invoice_waits_and_links_it() -> None:
    draft = messages.approval_reminder(INVOICE, APPROVER, SUPPLIER, today=date(2026, 12, 3))
    message, plain, html = render(draft)

    assert message["To"] == "irene@buyer.example"
    assert message["Subject"] == "Reminder: invoice INV-1 for PO PO-000001 is waiting for your approval"
    page = f"{PORTAL_URL}/invoices/{INVOICE.invoice_id}"
    assert page in plain and f'href="{page}"' in html
    for body in (plain, html):
        assert "Irene Initiator" in body and "Acme Tools" in body
        assert "2026-12-01 09:30 UTC (2 days)" in body
        assert "1,190.00 EUR" in body


def test_overdue_notice_tells_an_admin_the_due_date_and_the_balance_due_and_links_the_invoice() -> None:
    approved = TrackedInvoice(**{**INVOICE.__dict__, "status": "partly_paid", "pending_since": None})
    message, plain, html = render(messages.invoice_overdue(approved, ADMIN, None))

    assert message["To"] == "ada@buyer.example"
    assert message["Subject"] == "Invoice INV-1 for PO PO-000001 is overdue"
    page = f"{PORTAL_URL}/invoices/{INVOICE.invoice_id}"
    assert page in plain and f'href="{page}"' in html
    for body in (plain, html):
        assert "Ada Admin" in body and "2026-12-31" in body and "690.00 EUR" in body
        assert "None" not in body  # the supplier is not known yet: its line is left out
    assert "Supplier:" not in plain


TODAY = date(2026, 12, 10)


def test_an_operators_pass_runs_as_today_unless_a_day_is_given() -> None:
    assert reminder_day(None, today=TODAY, environment="production") == TODAY
    assert reminder_day(date(2026, 12, 14), today=TODAY, environment="staging") == date(2026, 12, 14)


def test_an_operators_pass_as_a_later_day_is_refused_in_production_and_an_earlier_day_everywhere() -> None:
    with pytest.raises(ValueError, match="PORTAL_ENVIRONMENT is production"):
        reminder_day(date(2026, 12, 11), today=TODAY, environment="production")
    with pytest.raises(ValueError, match="before today"):
        reminder_day(date(2026, 12, 9), today=TODAY, environment="development")


def test_a_credit_notes_approval_reminder_calls_it_a_credit_note() -> None:
    credit = TrackedInvoice(**{**INVOICE.__dict__, "number": "CN-1", "kind": "credit_note"})
    message, plain, html = render(messages.approval_reminder(credit, APPROVER, SUPPLIER, today=date(2026, 12, 3)))
    assert "Credit note" in html

    # A subject this long is folded onto a second header line; a mail client joins it again.
    assert (
        " ".join(message["Subject"].split())
        == "Reminder: credit note CN-1 for PO PO-000001 is waiting for your approval"
    )
    assert "Credit note CN-1 for purchase order PO-000001 is still waiting for your approval." in plain
    assert "Credit note:    CN-1" in plain
