"""The AsyncAPI document of every service says what it consumes and publishes, with the contracts'
payloads, without touching delivery; the documents committed in docs/api/ are current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from matching.bootstrap import bootstrap
from matching.config import Settings
from portal_dev.apidocs import REFRESH_COMMAND, SERVICES, main, service_documents, stale_files
from shared.auth import ensure_keypair
from shared.contracts import TOPICS, dlq_topic

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs" / "api"


def committed(service: str, kind: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DOCS_DIR / f"{service}.{kind}.json").read_text(encoding="utf-8"))
    return document


def operations(document: dict[str, Any], action: str) -> set[str]:
    channels = document["channels"]
    return {
        channels[op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        for op in document["operations"].values()
        if op["action"] == action
    }


def test_the_committed_api_documents_are_current() -> None:
    assert stale_files(DOCS_DIR) == [], f"the API documents changed; refresh them: {REFRESH_COMMAND}"


def test_the_check_fails_on_a_document_that_differs_from_the_code(tmp_path: Path) -> None:
    for path in DOCS_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "orders.asyncapi.json").write_text("{}\n")
    (tmp_path / "billing.openapi.json").write_text("{}\n")
    assert stale_files(tmp_path) == ["billing.openapi.json (no longer generated)", "orders.asyncapi.json"]
    assert main(["--check", str(tmp_path)]) == 1


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_documents_the_topics_it_consumes_and_publishes(service: str, tmp_path: Path) -> None:
    document = service_documents(service, tmp_path)["asyncapi"]
    consumed = operations(document, "receive")
    owned = {name for name, topic in TOPICS.items() if topic.producer == service}
    assert operations(document, "send") == owned | {dlq_topic(t) for t in consumed}
    assert document == committed(service, "asyncapi") | {"servers": document["servers"]}
    assert document["servers"]["development"]["host"] == "kafka:9092"


def test_a_published_topic_is_documented_with_its_contract_as_subscribers_receive_it() -> None:
    document = committed("invoicing", "asyncapi")
    message = document["components"]["messages"]["invoicing.invoice.v1:Message"]
    assert message["payload"] == {"$ref": "#/components/schemas/InvoicingInvoiceV1Message"}
    schemas = document["components"]["schemas"]
    envelope = schemas["InvoicingInvoiceV1Message"]
    assert set(envelope["properties"]["type"]["enum"]) == set(TOPICS["invoicing.invoice.v1"].events)
    assert {"id", "type", "occurred_at", "tenant_id", "correlation_id", "producer", "data"} <= set(envelope["required"])
    # Money travels as a decimal string, as in docs/events/schemas.
    assert schemas["InvoiceLineState"]["properties"]["net_amount"] == {"title": "Net Amount", "type": "string"}


async def test_the_documented_publishers_are_never_part_of_the_services_broker(tmp_path: Path) -> None:
    _, public = ensure_keypair(tmp_path)
    runtime = bootstrap(Settings(jwt_public_key_file=public))
    transport = httpx.ASGITransport(app=runtime.app)  # not started: no database, no broker
    async with httpx.AsyncClient(transport=transport, base_url="http://matching") as http:
        served = (await http.get("/asyncapi.json")).json()
        page = await http.get("/asyncapi")
    assert runtime.broker.publishers == []
    assert sorted((s.topic_names, s.group_id) for s in runtime.broker.subscribers) == sorted(
        ([c.topic], c.group) for c in runtime.consumers
    )
    assert operations(served, "send") == {"matching.verdict.v1"} | {dlq_topic(c.topic) for c in runtime.consumers}
    assert page.status_code == 200 and "AsyncApiStandalone" in page.text
