"""The email an event causes is sent in the event's trace: the queued email keeps the trace
context of the handler that queued it, its sending is a child span of that handler's span, and
the EmailSent event it writes carries the trace on to its subscribers."""

from __future__ import annotations

import json
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from portal_dev.testing import on_cluster, poll_until, read_topic
from shared.contracts import Envelope
from shared.contracts.notifier import EMAILS_TOPIC
from tests.notifier import samples
from tests.notifier.integration.conftest import StartNotifier
from tests.notifier.integration.mailbox import MailSink

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


def named(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in spans.get_finished_spans() if span.name == name]


async def test_the_email_of_an_event_is_sent_in_the_events_trace(
    spans: InMemorySpanExporter, start_notifier: StartNotifier, mail_sink: MailSink, broker: str
) -> None:
    tenant = uuid4()
    invitation = samples.invitation(tenant, uuid4())
    envelope = Envelope.wrap(invitation, tenant_id=tenant, producer="gateway")
    async with start_notifier(smtp_port=mail_sink.port):
        producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all", enable_idempotence=False)
        await producer.start()
        try:
            await producer.send_and_wait(
                on_cluster(invitation.topic),
                envelope.model_dump_json().encode(),
                key=invitation.key().encode(),
                headers=[("traceparent", f"00-{TRACE_ID}-{CALLER_SPAN}-01".encode())],
            )
        finally:
            await producer.stop()
        await mail_sink.wait_for("owner@acme.example", timeout_s=10)
        [send] = await poll_until(lambda: named(spans, "email send"), what="the email's span")
        records = await read_topic(broker, EMAILS_TOPIC, 1)

    [handled] = named(spans, f"{invitation.topic} process")
    assert handled.kind is SpanKind.CONSUMER and send.kind is SpanKind.CLIENT
    assert {format(span.context.trace_id, "032x") for span in (handled, send)} == {TRACE_ID}
    assert handled.parent is not None and format(handled.parent.span_id, "016x") == CALLER_SPAN
    assert send.parent is not None and send.parent.span_id == handled.context.span_id
    assert send.status.status_code is StatusCode.UNSET and send.attributes is not None
    assert send.attributes["email.template"] == "invitation"

    [sent] = [r for r in records if json.loads(r.value)["data"]["source_event_id"] == str(envelope.id)]
    traceparent = dict(sent.headers)["traceparent"].decode()
    assert traceparent.split("-")[1] == TRACE_ID
    [publish] = named(spans, f"{EMAILS_TOPIC} publish")
    assert publish.parent is not None and publish.parent.span_id == send.context.span_id
