"""Helpers of the suppliers integration tests: requests the tests repeat, and reading the topic."""

from __future__ import annotations

import json
from typing import Any

import httpx

from portal_dev.testing import read_topic
from shared.contracts.suppliers import SUPPLIERS_TOPIC

Headers = dict[str, str]


async def create_supplier(client: httpx.AsyncClient, auth: Headers, **overrides: Any) -> dict:
    body = {"name": "Acme Tools", "email": "ap@acme.example", "phone": "+49 1", "currency": "EUR"}
    body.update(overrides)
    response = await client.post("/api/v1/suppliers", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def define_field(client: httpx.AsyncClient, auth: Headers, key: str, type: str = "text", **options: Any) -> dict:
    body = {"key": key, "label": key.replace("_", " ").title(), "type": type, **options}
    response = await client.post("/api/v1/supplier-custom-fields", json=body, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def portal(client: httpx.AsyncClient, auth: Headers, supplier_id: str, action: str) -> dict:
    response = await client.post(f"/api/v1/suppliers/{supplier_id}/portal/{action}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def patch_ok(client: httpx.AsyncClient, path: str, body: dict, auth: Headers) -> dict:
    response = await client.patch(path, json=body, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def get_ok(client: httpx.AsyncClient, path: str, auth: Headers) -> dict:
    response = await client.get(path, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def error_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


async def supplier_events(bootstrap_servers: str, count: int) -> list[dict]:
    """The first ``count`` envelopes of the suppliers topic, decoded, in the order of one supplier's key."""
    records = await read_topic(bootstrap_servers, SUPPLIERS_TOPIC, count)
    return [json.loads(r.value) for r in sorted(records, key=lambda r: (r.partition, r.offset))]
