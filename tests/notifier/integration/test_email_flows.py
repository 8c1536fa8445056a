"""Events people must hear of become emails in a real SMTP sink, and each is audited on Kafka."""

from __future__ import annotations

from io import BytesIO
from uuid import uuid4

from pypdf import PdfReader
from sqlalchemy import text

from portal_dev.testing import poll_until
from shared.contracts.notifier import EMAILS_TOPIC
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.kafka_events import Publisher, read_events
from tests.notifier.integration.mailbox import MailSink, bodies


async def test_invitation_is_emailed_at_once_with_the_accept_link_and_email_sent_is_published(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant = uuid4()
    invitation = samples.invitation(tenant, uuid4())
    # Polling is all but off: only the NOTIFY on insert can wake the sender within the deadline.
    async with start_notifier(smtp_port=mail_sink.port, sender_poll_interval_s=60), Publisher(broker) as publisher:
        envelope = await publisher.publish(invitation, tenant_id=tenant)
        [message] = await mail_sink.wait_for("owner@acme.example", timeout_s=5)
        [sent] = await read_events(broker, EMAILS_TOPIC, 1)

    plain, html = bodies(message)
    assert message["Subject"] == "Invitation to the supplier portal for Acme Tools"
    assert invitation.accept_url_sealed is not None
    link = samples.LINKS.open(invitation.accept_url_sealed)
    assert link.endswith(f"/invitations/{samples.TOKEN}")
    assert link in plain and invitation.accept_url not in plain
    assert f'href="{link}"' in html
    assert sent["type"] == "EmailSent"
    assert sent["tenant_id"] == str(tenant)
    assert sent["data"]["source_event_id"] == str(envelope.id)
    assert (sent["data"]["recipient"], sent["data"]["template"], sent["data"]["attempts"]) == (
        "owner@acme.example",
        "invitation",
        1,
    )
    # The Message-ID names the email, so a copy delivered twice is recognisable.
    assert message["Message-ID"] == f"<{sent['data']['email_id']}@supplier-portal.local>"


async def test_submitted_po_is_emailed_to_the_supplier_with_the_po_as_pdf_even_if_the_supplier_comes_later(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    po = samples.purchase_order(tenant, supplier_id)
    portal = "https://portal.example.com/"  # a trailing slash makes no double one
    async with start_notifier(smtp_port=mail_sink.port, portal_public_url=portal), Publisher(broker) as publisher:
        await publisher.publish(po, tenant_id=tenant)
        # The supplier's read model may arrive after the order: the order waits for it.
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        [message] = await mail_sink.wait_for("sales@acme.example")

    plain, html = bodies(message)
    assert message["Subject"] == "New purchase order PO-2026-0042"
    assert "2026-12-15" in plain and "4,475.00 EUR" in plain and "Hex bolt M8" in plain
    assert "4,475.00 EUR" in html
    # The link to the order's page is built on the configured portal address.
    page = f"https://portal.example.com/purchase-orders/{po.purchase_order_id}"
    assert f"acknowledge it:\r\n{page}\r\n" in plain
    assert f'<a href="{page}">' in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "PO-2026-0042.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert "PO-2026-0042" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


async def test_approval_request_is_emailed_to_the_po_initiator(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id, initiator = uuid4(), uuid4(), uuid4()
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(samples.approval_requested(tenant, supplier_id, initiator), tenant_id=tenant)
        await publisher.publish(samples.user(tenant, initiator), tenant_id=tenant)
        [message] = await mail_sink.wait_for("irene@buyer.example")

    plain, html = bodies(message)
    assert message["Subject"] == "Invoice INV-77 for PO PO-2026-0042 needs your approval"
    assert "4,712.30 EUR" in plain and "4,712.30 EUR" in html
    assert "Irene Initiator" in plain


async def test_approved_rejected_and_paid_invoices_are_emailed_to_the_supplier(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id = uuid4(), uuid4()
    async with start_notifier(smtp_port=mail_sink.port), Publisher(broker) as publisher:
        await publisher.publish(samples.supplier(tenant, supplier_id), tenant_id=tenant)
        for event in (
            samples.rejected(tenant, supplier_id),
            samples.approved(tenant, supplier_id),
            samples.payment(tenant, supplier_id, amount="1000.00", paid_total="1000.00"),
            samples.payment(tenant, supplier_id, amount="3712.30", paid_total="4712.30"),
        ):
            await publisher.publish(event, tenant_id=tenant)
        messages = await mail_sink.wait_for("sales@acme.example", 4)
        events = await read_events(broker, EMAILS_TOPIC, 4)

    by_subject = {m["Subject"]: bodies(m)[0] for m in messages}
    assert set(by_subject) == {
        "Invoice INV-77 for PO PO-2026-0042 rejected",
        "Invoice INV-77 for PO PO-2026-0042 approved",
        "Invoice INV-77: Partly paid",
        "Invoice INV-77: Paid",
    }
    assert (
        "Reason: Unit price of the steel plate is not agreed"
        in by_subject["Invoice INV-77 for PO PO-2026-0042 rejected"]
    )
    assert "1,000.00 EUR of 4,712.30 EUR" in by_subject["Invoice INV-77: Partly paid"]
    assert "3,712.30 EUR" in by_subject["Invoice INV-77: Paid"]
    assert "4,712.30 EUR of 4,712.30 EUR" in by_subject["Invoice INV-77: Paid"]
    assert sorted(e["data"]["template"] for e in events) == [
        "invoice_approved",
        "invoice_payment",
        "invoice_payment",
        "invoice_rejected",
    ]
    assert {e["type"] for e in events} == {"EmailSent"}


async def test_an_older_snapshot_never_replaces_a_newer_read_model(
    start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant, supplier_id, initiator = uuid4(), uuid4(), uuid4()
    async with start_notifier(smtp_port=mail_sink.port) as (_, runtime), Publisher(broker) as publisher:
        await publisher.publish(
            samples.supplier(tenant, supplier_id, email="new@acme.example", revision=3), tenant_id=tenant
        )
        await publisher.publish(
            samples.supplier(tenant, supplier_id, email="old@acme.example", revision=2), tenant_id=tenant
        )
        newer = samples.NOW.replace(hour=12)
        await publisher.publish(
            samples.user(tenant, initiator, email="new@buyer.example", updated_at=newer), tenant_id=tenant
        )
        await publisher.publish(samples.user(tenant, initiator, email="old@buyer.example"), tenant_id=tenant)

        async def snapshots_consumed() -> bool:
            async with runtime.engine.connect() as conn:
                return (await conn.execute(text("SELECT count(*) FROM inbox"))).scalar() == 4

        await poll_until(snapshots_consumed, timeout_s=30, what="the four snapshots consumed")
        await publisher.publish(samples.approved(tenant, supplier_id), tenant_id=tenant)
        await publisher.publish(samples.approval_requested(tenant, supplier_id, initiator), tenant_id=tenant)
        await mail_sink.wait_for("new@acme.example")
        await mail_sink.wait_for("new@buyer.example")

    assert mail_sink.to("old@acme.example") == [] and mail_sink.to("old@buyer.example") == []
