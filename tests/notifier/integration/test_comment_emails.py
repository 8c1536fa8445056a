"""Comments on purchase orders and invoices reach the other side by email, their links removed;
the one link is the document's page in the portal."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import text

from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher
from tests.notifier.integration.mailbox import MailSink, bodies

PHISHING = "Our bank changed, pay via https://evil.example.com/pay or www.evil.example or evil.example.com/path"


async def test_po_comments_reach_the_initiator_or_the_supplier_with_the_links_removed(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id, initiator = uuid4(), uuid4(), uuid4()
    po_id = uuid4()
    from_supplier = samples.purchase_order_comment(
        tenant,
        supplier_id,
        initiator,
        author_role="supplier",
        author_name="Sam Supplier",
        body=PHISHING,
        purchase_order_id=po_id,
    )
    from_buyer = samples.purchase_order_comment(
        tenant,
        supplier_id,
        initiator,
        author_role="buyer_user",
        body="Please  use\nthe portal.",
        purchase_order_id=po_id,
    )
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        # The comments come before the read models that name their recipients: they wait for them.
        await publisher.publish(from_supplier, tenant_id=tenant)
        await publisher.publish(from_buyer, tenant_id=tenant)
        await publisher.publish(samples.user(tenant, initiator), tenant_id=tenant)
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        [to_initiator] = await mail_sink.wait_for("irene@buyer.example")
        [to_supplier] = await mail_sink.wait_for("sales@acme.example")

    plain, html = bodies(to_initiator)
    assert to_initiator["Subject"] == "New comment on purchase order PO-000001"
    assert "Sam Supplier" in plain and "Sam Supplier" in html
    assert "Our bank changed, pay via [link removed] or [link removed] or [link removed]" in plain
    page = f"http://127.0.0.1:8000/purchase-orders/{po_id}"
    for body in (plain, html):
        assert "evil" not in body
        assert body.count("http") == body.count(page) > 0  # no link but the order's page
    assert to_initiator["X-Portal-Template"] == "purchase_order_comment"

    plain, _ = bodies(to_supplier)
    assert to_supplier["Subject"] == "New comment on purchase order PO-000001"
    assert (
        'The buyer commented on purchase order PO-000001 (2026-11-23 09:30 UTC):\r\n\r\n"Please use the portal."'
        in plain
    )


async def test_invoice_comments_reach_the_other_side_and_one_with_nobody_to_tell_is_skipped(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id, initiator = uuid4(), uuid4(), uuid4()
    po_id = uuid4()  # one key: the events are handled in the order published
    long_body = "Line 2 is short by five pieces. " * 30
    orphan = samples.invoice_comment(
        tenant, supplier_id, None, author_role="supplier", body="Nobody raised this", purchase_order_id=po_id
    )
    from_supplier = samples.invoice_comment(
        tenant, supplier_id, initiator, author_role="supplier", body=long_body, purchase_order_id=po_id
    )
    from_buyer = samples.invoice_comment(
        tenant, supplier_id, None, author_role="buyer_admin", body="Approved <b>after</b> all", purchase_order_id=po_id
    )
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(samples.user(tenant, initiator), tenant_id=tenant)
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        skipped = await publisher.publish(orphan, tenant_id=tenant)
        await publisher.publish(from_supplier, tenant_id=tenant)
        await publisher.publish(from_buyer, tenant_id=tenant)
        [to_initiator] = await mail_sink.wait_for("irene@buyer.example")
        [to_supplier] = await mail_sink.wait_for("sales@acme.example")

        async with runtime.engine.connect() as conn:
            skipped_handled = (
                await conn.execute(text("SELECT count(*) FROM inbox WHERE event_id = :id"), {"id": skipped.id})
            ).scalar()
            emails = (await conn.execute(text("SELECT count(*) FROM emails"))).scalar()

    assert skipped_handled == 1 and emails == 2  # handled, and no email for it
    plain, _ = bodies(to_initiator)
    assert to_initiator["Subject"] == "New comment on invoice INV-77 for PO PO-000001"
    quoted = plain.split('"')[1]
    assert len(quoted) <= 300 and quoted.endswith("…") and quoted.startswith("Line 2 is short by five pieces.")
    plain, html = bodies(to_supplier)
    assert to_supplier["Subject"] == "New comment on invoice INV-77 for PO PO-000001"
    assert "Approved <b>after</b> all" in plain
    assert "Approved &lt;b&gt;after&lt;/b&gt; all" in html
