"""The gateway carries the caller's trace to the service behind it: the service receives a
``traceparent`` of the same trace, whose parent is the gateway's call, itself a child of the
gateway's span for the request."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from portal_dev.testing import Tokens

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


class Upstream:
    """A service behind the gateway that answers with the headers it received."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.received.append({k.lower(): v for k, v in self.headers.items()})
                body = json.dumps({"items": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_a_routed_request_reaches_the_service_in_the_callers_trace(
    spans: InMemorySpanExporter, tokens: Tokens
) -> None:
    upstream = Upstream()
    settings = Settings(
        jwt_private_key_file=tokens.private_key_file,
        jwt_public_key_file=tokens.public_key_file,
        orders_url=upstream.url,
        log_format="console",
    )
    runtime = bootstrap(settings)
    try:
        transport = httpx.ASGITransport(app=runtime.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            answer = await http.get(
                "/api/v1/purchase-orders", headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"}
            )
        assert answer.status_code == 200
    finally:
        await runtime.app.state.upstreams.close()
        await runtime.engine.dispose()
        upstream.close()

    [received] = upstream.received
    _, trace_id, parent_id, _ = received["traceparent"].split("-")
    finished = spans.get_finished_spans()
    [server] = [span for span in finished if span.kind is SpanKind.SERVER]
    [call] = [span for span in finished if span.kind is SpanKind.CLIENT]
    assert trace_id == TRACE_ID and parent_id == format(call.context.span_id, "016x")
    assert call.parent is not None and call.parent.span_id == server.context.span_id
    assert server.parent is not None and format(server.parent.span_id, "016x") == CALLER_SPAN
