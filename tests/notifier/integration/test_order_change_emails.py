"""A changed order, and an order that ignores the supplier's terms, reach the supplier by email."""

from __future__ import annotations

from uuid import uuid4

from shared.contracts.orders import FieldChange
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher
from tests.notifier.integration.mailbox import MailSink, bodies


async def test_changed_po_and_po_with_terms_warnings_are_emailed_to_the_supplier(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    submitted = samples.purchase_order(tenant, supplier_id, warnings=samples.terms_warnings())
    changed = samples.purchase_order_changed(
        tenant,
        supplier_id,
        FieldChange(field="delivery_date", before="2026-12-15", after="2027-01-10"),
        FieldChange(field="line 1 quantity", before="1000", after="1100"),
    )
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(changed, tenant_id=tenant)
        await publisher.publish(submitted, tenant_id=tenant)
        # The supplier's read model comes last: both emails wait for it.
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        messages = await mail_sink.wait_for("sales@acme.example", 2)

    by_subject = {m["Subject"]: m for m in messages}
    change_plain, change_html = bodies(by_subject["Purchase order PO-2026-0042 was changed"])
    assert "- delivery_date: 2026-12-15 -> 2027-01-10" in change_plain
    assert "- line 1 quantity: 1000 -> 1100" in change_plain
    assert "Delivery date:  2027-01-10" in change_plain and "Net total:      4,600.00 EUR" in change_plain
    assert "4,600.00 EUR" in change_html
    assert list(by_subject["Purchase order PO-2026-0042 was changed"].iter_attachments()) == []

    new_po = by_subject["New purchase order PO-2026-0042"]
    plain, html = bodies(new_po)
    assert "This order does not meet your terms:" in plain and "This order does not meet your terms:" in html
    for warning in samples.terms_warnings():
        assert f"- {warning.message}" in plain
        assert warning.message in html
    [attachment] = list(new_po.iter_attachments())
    assert attachment.get_filename() == "PO-2026-0042.pdf"


async def test_goods_received_are_emailed_to_the_supplier(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    received = samples.goods_received(tenant, supplier_id)
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        await publisher.publish(received, tenant_id=tenant)
        [message] = await mail_sink.wait_for("sales@acme.example", 1)

    assert message["Subject"] == "Goods received for PO PO-2026-0042"
    plain, html = bodies(message)
    assert "Goods receipt: PO-2026-0042-GR2" in plain and "Steel plate 2mm" in html
