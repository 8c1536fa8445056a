"""Text PostgreSQL cannot store (a NUL character, an unpaired surrogate) is refused with 422 and
nothing changes; it used to reach the database and fail there as a 500."""

from __future__ import annotations

import uuid

from portal_dev.testing import Tokens
from tests.suppliers.integration.support import create_supplier, get_ok


async def test_a_nul_or_an_unpaired_surrogate_in_a_contact_is_refused_and_nothing_changes(
    service, tokens: Tokens
) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    created = await create_supplier(client, buyer, contacts=[{"name": "Ann"}])
    path = f"/api/v1/suppliers/{created['id']}"
    for raw in (
        b'{"contacts": [{"name": "Ann"}, {"name": "\\u0000"}]}',
        b'{"contacts": [{"name": "B\\udaf4"}], "name": "x"}',
    ):
        answer = await client.patch(path, content=raw, headers=buyer | {"content-type": "application/json"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"].startswith("contacts.")
    nul_in_query = await client.get("/api/v1/suppliers", params={"cursor": "\x00"}, headers=buyer)
    assert nul_in_query.status_code == 422, nul_in_query.text
    after = await get_ok(client, path, buyer)
    assert after["contacts"] == created["contacts"] and after["name"] == created["name"]
    assert after["updated_at"] == created["updated_at"]
