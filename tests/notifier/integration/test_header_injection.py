"""Hostile user text reaches the real SMTP sink only inside one Subject line, to one recipient."""

from __future__ import annotations

from uuid import uuid4

from shared.contracts.notifier import EMAILS_TOPIC
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher, read_events
from tests.notifier.integration.mailbox import MailSink


async def test_po_number_and_supplier_name_with_crlf_add_no_header_and_no_recipient(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    po = samples.purchase_order(tenant, supplier_id, number="PO-1\r\nBcc: evil@x.example")
    supplier = samples.supplier(tenant, supplier_id, name="Acme\r\nX-Injected: 1")
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(supplier, tenant_id=tenant)
        await publisher.publish(po, tenant_id=tenant)
        [message] = await mail_sink.wait_for("sales@acme.example")

    [only] = mail_sink.messages()
    assert only.get_all("To") == ["sales@acme.example"]
    assert only.get_all("Bcc") is None and only.get_all("Cc") is None
    assert only.get_all("X-Injected") is None
    assert message["Subject"] == "New purchase order PO-1 Bcc: evil@x.example"


async def test_a_recipient_with_a_second_address_is_failed_and_never_sent(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant = uuid4()
    hostile = samples.invitation(tenant, uuid4(), email="owner@acme.example\r\nBcc: evil@x.example")
    fine = samples.invitation(tenant, uuid4(), email="next@acme.example")
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(hostile, tenant_id=tenant)
        await publisher.publish(fine, tenant_id=tenant)
        await mail_sink.wait_for("next@acme.example")
        events = await read_events(broker, EMAILS_TOPIC, 2)

    assert [m["To"] for m in mail_sink.messages()] == ["next@acme.example"]
    [failed] = [e for e in events if e["type"] == "EmailFailed"]
    assert failed["data"]["recipient"] == "owner@acme.example Bcc: evil@x.example"
    assert failed["data"]["attempts"] == 0
    assert "not a single email address" in failed["data"]["error"]
