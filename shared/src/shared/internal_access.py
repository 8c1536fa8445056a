"""Who may read a service's operational answers: ``/metrics``, readiness in detail and the
gateway's per-service health. A caller on the internal networks (``PORTAL_INTERNAL_NETWORKS``;
loopback and the private ranges by default, where Prometheus, the kubelet's probes and the tools
of ``make up`` are) that connected straight: a request with a proxy header came through a proxy,
a load balancer or the gateway, so whoever sent it is outside, whatever the peer's address.
Anyone else gets 404 for ``/metrics`` and the bare status of a health answer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from shared.networks import Networks
from shared.problems import problem

PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def internal_caller(request: Request, networks: Networks) -> bool:
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    return request.client is not None and request.client.host in networks


def not_found(request: Request) -> Response:
    """What an outside caller gets: the answer of a path that does not exist."""
    return problem(404, "Not found", f"no route for {request.url.path}", slug="not-found")
