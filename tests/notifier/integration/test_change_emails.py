"""The buyer's cancellations and closings reach the supplier by email, on the real broker and
database: only for orders it received and for invoices the buyer canceled."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import bindparam, text

from portal_dev.testing import poll_until
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher
from tests.notifier.integration.mailbox import MailSink, bodies


async def test_canceled_and_closed_orders_and_an_invoice_the_buyer_canceled_are_emailed_and_nothing_else(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    canceled = samples.purchase_order_ended(tenant, supplier_id, "canceled")
    closed = samples.purchase_order_ended(tenant, supplier_id, "closed", number="PO-2026-0043")
    never_sent = samples.purchase_order_ended(tenant, supplier_id, "canceled", sent=False, number="PO-2026-0044")
    by_buyer = samples.invoice_canceled(tenant, supplier_id, canceled_by="buyer")
    by_supplier = samples.invoice_canceled(tenant, supplier_id, canceled_by="supplier")
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        await publisher.publish(samples.organisation(tenant, name="Old Name"), tenant_id=tenant)
        await publisher.publish(samples.organisation(tenant, revision=2), tenant_id=tenant)

        async def renamed() -> bool:
            # The organisation travels on a topic of its own: the documents' events could overtake it.
            query = text("SELECT name FROM organisations WHERE tenant_id = :tenant")
            async with runtime.engine.connect() as conn:
                return (await conn.execute(query, {"tenant": tenant})).scalar() == "Globex Buying"

        await poll_until(renamed, timeout_s=30, what="the organisation's newest name")
        envelopes = [
            await publisher.publish(event, tenant_id=tenant)
            for event in (never_sent, by_supplier, canceled, closed, by_buyer)
        ]
        await mail_sink.wait_for("sales@acme.example", 3)

        async def all_handled() -> bool:
            # The groups that email; the reminders' group records the invoice events too.
            query = text(
                "SELECT count(*) FROM inbox WHERE event_id IN :ids"
                " AND consumer IN ('notifier.purchase-orders', 'notifier.invoices')"
            ).bindparams(bindparam("ids", expanding=True))
            async with runtime.engine.connect() as conn:
                return (await conn.execute(query, {"ids": [e.id for e in envelopes]})).scalar() == len(envelopes)

        await poll_until(all_handled, timeout_s=30, what="every event handled")
        async with runtime.engine.connect() as conn:
            queued = (await conn.execute(text("SELECT count(*) FROM emails"))).scalar()

    assert queued == 3
    by_subject = {m["Subject"]: m for m in mail_sink.to("sales@acme.example")}
    assert set(by_subject) == {
        "Purchase order PO-2026-0042 from Globex Buying was canceled",
        "Purchase order PO-2026-0043 from Globex Buying was closed",
        "Invoice INV-77 for PO PO-2026-0042 was canceled by Globex Buying",
    }
    plain, html = bodies(by_subject["Invoice INV-77 for PO PO-2026-0042 was canceled by Globex Buying"])
    assert f"/invoices/{by_buyer.invoice_id}" in plain and "Globex Buying" in html
    plain, _ = bodies(by_subject["Purchase order PO-2026-0043 from Globex Buying was closed"])
    assert f"/purchase-orders/{closed.purchase_order_id}" in plain
