"""Where subscribers find the events: every service's AsyncAPI document, through the gateway.

``GET /api/v1/docs/events`` lists the services with the gateway's URLs of each one's AsyncAPI
document and page; the documents of the services behind the gateway are fetched from them
(``/asyncapi.json`` and ``/asyncapi`` on each service), the gateway's own is its ``/asyncapi``.
Public, like the API's OpenAPI document, and kept out of it.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.adapters.upstreams import Upstreams
from shared.asyncapi import ASYNCAPI_JSON_PATH, ASYNCAPI_PAGE_PATH
from shared.problems import problem

router = APIRouter()

EVENT_DOCS_PATH = "/api/v1/docs/events"


def _upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


@router.get(EVENT_DOCS_PATH, include_in_schema=False)
async def event_docs(request: Request) -> dict[str, Any]:
    """Each service's AsyncAPI document (JSON) and its page."""
    services = [{"service": "gateway", "asyncapi": ASYNCAPI_JSON_PATH, "page": ASYNCAPI_PAGE_PATH}]
    services += [
        {"service": name, "asyncapi": f"{EVENT_DOCS_PATH}/{name}.json", "page": f"{EVENT_DOCS_PATH}/{name}"}
        for name in _upstreams(request).api_services
    ]
    return {"services": services, "events": "docs/events.md", "schemas": "docs/events/schemas/"}


async def _from_service(request: Request, service: str, path: str) -> httpx.Response | JSONResponse:
    upstreams = _upstreams(request)
    if service not in upstreams.api_services:
        return problem(404, "Not found", f"no service named {service!r}", slug="not-found")
    try:
        answer = await upstreams.client.get(upstreams.url(service, path), timeout=5.0)
        answer.raise_for_status()
    except httpx.HTTPError:
        return problem(
            503,
            "Service unavailable",
            f"the {service} service did not give its AsyncAPI document; try again shortly",
            slug="unavailable",
            headers={"Retry-After": "5"},
        )
    return answer


@router.get(EVENT_DOCS_PATH + "/{service}.json", include_in_schema=False)
async def service_document(service: str, request: Request) -> Response:
    answer = await _from_service(request, service, ASYNCAPI_JSON_PATH)
    if isinstance(answer, JSONResponse):
        return answer
    return Response(answer.content, media_type="application/json")


@router.get(EVENT_DOCS_PATH + "/{service}", include_in_schema=False)
async def service_page(service: str, request: Request) -> Response:
    answer = await _from_service(request, service, ASYNCAPI_PAGE_PATH)
    if isinstance(answer, JSONResponse):
        return answer
    return HTMLResponse(answer.text)
