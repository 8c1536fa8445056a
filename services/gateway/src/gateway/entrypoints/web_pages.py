"""The web portal behind the gateway's address: every path that is neither the API nor the
gateway's own goes to the web service as it came (cookies, forms, files), and its answer back
as it went (redirects are the browser's to follow, every ``Set-Cookie`` kept).

People open one address; the pages then call the API through this same gateway.
"""

from __future__ import annotations

import aiohttp
import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.requests import ClientDisconnect
from yarl import URL

from gateway.adapters.upstreams import WEB, ClientBody, Upstreams
from shared import tracing
from shared.correlation import current_correlation_id
from shared.networks import next_hop_headers

log = structlog.get_logger(__name__)

router = APIRouter(tags=["web"], include_in_schema=False)

PAGE_REQUEST_HEADERS = (
    "accept",
    "accept-language",
    "content-type",
    "cookie",
    "referer",
    "origin",
    "user-agent",
    "if-none-match",
    "if-modified-since",
    "hx-request",
    "hx-current-url",
    "hx-target",
    "hx-trigger",
    "hx-boosted",
)
# Hop-by-hop headers, what the server recomputes, and the encoding (the client hands the body over
# decoded): never copied from the web service's answer.
NOT_COPIED = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "date", "server"}

UNAVAILABLE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Temporarily unavailable · Supplier portal</title></head><body>
<main><h1>Temporarily unavailable</h1><p>The portal cannot be reached just now. Try again in a moment.</p></main>
</body></html>"""


@router.api_route("/{path:path}", methods=["GET", "HEAD", "POST"])
async def page(path: str, request: Request) -> Response:
    upstreams: Upstreams = request.app.state.upstreams
    raw_path: bytes = request.scope.get("raw_path") or request.url.path.encode()
    headers = {k: v for k, v in request.headers.items() if k.lower() in PAGE_REQUEST_HEADERS}
    headers["x-correlation-id"] = current_correlation_id() or ""
    headers["x-forwarded-proto"] = request.url.scheme
    headers["x-forwarded-host"] = request.headers.get("host", "")
    # The browser's address goes on, for the sign-in limits when the pages call the API.
    peer = request.client.host if request.client else None
    headers |= next_hop_headers(request.headers.getlist("x-forwarded-for"), request.headers.getlist("forwarded"), peer)
    headers |= tracing.context_headers()
    # The path and query as the browser encoded them: a next=%2F... must reach the pages unchanged.
    query: bytes = request.scope.get("query_string") or b""
    target = upstreams.url(WEB, raw_path.decode("latin-1")) + ("?" + query.decode("latin-1") if query else "")
    # A form's body goes on as it arrives (an upload is never held whole here), with its length.
    body = ClientBody.of(request, headers)
    try:
        async with upstreams.pages.request(
            request.method, URL(target, encoded=True), data=body, headers=headers, allow_redirects=False
        ) as answer:
            response = Response(content=await answer.read(), status_code=answer.status)
            for name, value in answer.headers.items():
                if name.lower() not in NOT_COPIED:
                    response.headers.append(name, value)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        if body is not None and body.failure is not None:
            # The browser's form failed, not the pages: past the limit (the middleware answers
            # 413), or the browser went away mid-form (nobody is left to answer).
            if isinstance(body.failure, ClientDisconnect):
                return Response(status_code=400)
            raise body.failure from None
        log.warning("web portal unreachable", error=repr(exc))
        return HTMLResponse(UNAVAILABLE_PAGE, status_code=503, headers={"Retry-After": "5"})
    return response
