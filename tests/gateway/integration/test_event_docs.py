"""The gateway links every service's AsyncAPI document: it lists them, and serves each one (and
its page) as the service gives it; a service that is away is a 503, an unknown one a 404."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from gateway.bootstrap import bootstrap
from gateway.config import Settings
from orders.bootstrap import bootstrap as orders_bootstrap
from orders.config import Settings as OrdersSettings
from portal_dev.testing import Tokens, running
from tests.gateway.integration.conftest import served

SERVICES = ["gateway", "suppliers", "orders", "invoicing", "matching", "notifier"]


@pytest.fixture
async def orders_url(tokens: Tokens) -> AsyncIterator[str]:
    """The orders service's app, served without starting it (its documents need no servers)."""
    app = orders_bootstrap(OrdersSettings(jwt_public_key_file=tokens.public_key_file, log_format="console")).app
    async with served(app, lifespan="off") as url:
        yield url


@pytest.fixture
async def gateway(gateway_settings: Callable[..., Settings], orders_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running(bootstrap(gateway_settings(orders_url=orders_url))) as client:
        yield client


async def test_the_gateway_lists_and_serves_each_services_asyncapi_document(gateway: httpx.AsyncClient) -> None:
    listing = (await gateway.get("/api/v1/docs/events")).json()["services"]
    assert sorted(s["service"] for s in listing) == sorted(SERVICES)
    links = {s["service"]: s for s in listing}
    assert links["orders"] == {
        "service": "orders",
        "asyncapi": "/api/v1/docs/events/orders.json",
        "page": "/api/v1/docs/events/orders",
    }

    document = await gateway.get(links["orders"]["asyncapi"])
    assert document.status_code == 200
    channels = {c["address"] for c in document.json()["channels"].values()}
    assert {"orders.purchase-order.v1", "orders.rfp.v1", "suppliers.supplier.v1"} <= channels
    page = await gateway.get(links["orders"]["page"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "AsyncApiStandalone" in page.text

    own = (await gateway.get(links["gateway"]["asyncapi"])).json()
    assert {"gateway.user.v1", "gateway.invitation.v1", "gateway.organisation.v1"} <= {
        c["address"] for c in own["channels"].values()
    }


async def test_a_service_that_is_away_is_a_503_and_an_unknown_one_a_404(gateway: httpx.AsyncClient) -> None:
    away = await gateway.get("/api/v1/docs/events/suppliers.json")
    assert away.status_code == 503
    assert away.headers["content-type"] == "application/problem+json"
    assert away.json()["detail"] == "the suppliers service did not give its AsyncAPI document; try again shortly"
    unknown = await gateway.get("/api/v1/docs/events/billing")
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "no service named 'billing'")
