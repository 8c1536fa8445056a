"""End to end through the gateway: an invoice held for approval, and its approver reminded once
the organisation's reminder days have passed. The clock is moved, not waited for, with the
operator's ``notifier-admin reminders send --day`` for this organisation only."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from portal_dev.stack import Stack
from portal_dev.testing import poll_until
from tests.e2e.conftest import Organisation, Portal, link_in


async def send_reminders(stack: Stack, organisation: str, day: date) -> dict[str, Any]:
    """One pass of the reminder scheduler as of ``day``, as an operator runs it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "notifier.admin",
        "reminders",
        "send",
        "--organisation",
        organisation,
        "--day",
        day.isoformat(),
        "--json",
        env=stack.service_env("notifier"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


async def test_the_approver_of_a_held_invoice_is_reminded_once_after_the_organisations_reminder_days(
    api: httpx.AsyncClient,
    portal: Portal,
    stack: Stack,
    new_organisation: Callable[[], Awaitable[Organisation]],
) -> None:
    organisation = await new_organisation()
    buyer = await portal.sign_in(organisation.admin_email, organisation.admin_password)
    # One day rather than the default two: a reminder on the next day shows the organisation's setting.
    changed = await api.patch("/settings", json={"approval_reminder_days": 1}, headers=buyer)
    assert changed.status_code == 200 and changed.json()["approval_reminder_days"] == 1
    tag = organisation.id[:8]
    supplier_id, supplier = await portal.onboard_supplier(
        buyer, name=f"Slow Steel {tag}", email=f"billing@slow-steel-{tag}.example", tolerance="0"
    )
    po = await portal.create_po(buyer, supplier_id, [{"description": "Beams", "quantity": "4", "unit_price": "100"}])
    await portal.submit_po(buyer, po["id"])
    # Billed above the order with a zero tolerance: held for the initiator, the organisation's admin.
    lines = [
        {"purchase_order_line_id": po["lines"][0]["id"], "description": "Beams", "quantity": "4", "unit_price": "101"}
    ]
    invoice = await portal.create_invoice(
        supplier, {"purchase_order_id": po["id"], "number": f"SS-{tag}", "issue_date": "2026-11-23", "lines": lines}
    )
    assert (await api.post(f"/invoices/{invoice['id']}/submit", headers=supplier)).status_code == 202
    await portal.invoice_in(buyer, invoice["id"], "pending")
    await portal.email(to=organisation.admin_email, subject="needs your approval")

    today = datetime.now(UTC).date()
    assert (await send_reminders(stack, organisation.id, today))["sent"] == []  # the day it was held: never
    tomorrow = today + timedelta(days=1)

    async def reminded() -> list[dict[str, Any]] | None:
        # The notifier learns of the invoice and of the one day from events: ask until it has.
        sent: list[dict[str, Any]] = (await send_reminders(stack, organisation.id, tomorrow))["sent"]
        return sent or None

    [reminder] = await poll_until(reminded, timeout_s=20, interval_s=0.5, what="the approval reminder to be queued")
    assert (reminder["kind"], reminder["invoice_id"]) == ("approval", invoice["id"])
    # The same day again, as a second instance or a restart would: nothing more.
    assert (await send_reminders(stack, organisation.id, tomorrow))["sent"] == []

    subject = f"Reminder: invoice SS-{tag} for PO {po['number']} is waiting for your approval"
    [email] = await portal.email(to=organisation.admin_email, subject=subject)
    assert link_in(email, f"/invoices/{invoice['id']}")
    assert len(portal.mailbox.find(to=organisation.admin_email, subject_contains="Reminder:")) == 1
