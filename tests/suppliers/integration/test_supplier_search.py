"""The suppliers list on real PostgreSQL: a search by name or email, a portal status filter, and
pages that keep both."""

from __future__ import annotations

import uuid

from portal_dev.testing import Tokens
from tests.suppliers.integration.support import create_supplier, error_fields, get_ok, portal

SUPPLIERS = "/api/v1/suppliers"


def names(page: dict) -> list[str]:
    return [s["name"] for s in page["items"]]


async def test_the_search_finds_a_name_or_an_email_holding_the_text_in_any_case(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await create_supplier(client, buyer, name="ACME Tools", email="orders@acme.example")
    await create_supplier(client, buyer, name="Blue Paint", email="sales@ACMEPAINT.example")
    await create_supplier(client, buyer, name="Cedar Wood", email="office@cedar.example")

    assert sorted(names(await get_ok(client, f"{SUPPLIERS}?q=acme", buyer))) == ["ACME Tools", "Blue Paint"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=Paint", buyer)) == ["Blue Paint"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=%20cedar.EXAMPLE%20", buyer)) == ["Cedar Wood"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=nowhere", buyer)) == []
    # An empty search is no search.
    assert len((await get_ok(client, f"{SUPPLIERS}?q=", buyer))["items"]) == 3


async def test_percent_and_underscore_typed_in_the_search_match_themselves(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    await create_supplier(client, buyer, name="100% Steel", email="steel@hundred.example")
    await create_supplier(client, buyer, name="1000 Screws", email="a_b@screws.example")
    await create_supplier(client, buyer, name="Back\\slash", email="ab@slash.example")

    assert names(await get_ok(client, f"{SUPPLIERS}?q=100%25", buyer)) == ["100% Steel"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=%25", buyer)) == ["100% Steel"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=a_b", buyer)) == ["1000 Screws"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=_", buyer)) == ["1000 Screws"]
    assert names(await get_ok(client, f"{SUPPLIERS}?q=k%5Cs", buyer)) == ["Back\\slash"]


async def test_the_portal_status_filter_keeps_the_suppliers_in_that_status(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    waiting = await create_supplier(client, buyer, name="Waiting Ltd", email="w@waiting.example")
    active = await create_supplier(client, buyer, name="Active Ltd", email="a@active.example")
    gone = await create_supplier(client, buyer, name="Gone Ltd", email="g@gone.example")
    await portal(client, buyer, active["id"], "activate")
    await portal(client, buyer, gone["id"], "activate")
    await portal(client, buyer, gone["id"], "deactivate")

    def by_status(status: str) -> str:
        return f"{SUPPLIERS}?portal_status={status}"

    assert [s["id"] for s in (await get_ok(client, by_status("not_invited"), buyer))["items"]] == [waiting["id"]]
    assert [s["id"] for s in (await get_ok(client, by_status("active"), buyer))["items"]] == [active["id"]]
    assert [s["id"] for s in (await get_ok(client, by_status("inactive"), buyer))["items"]] == [gone["id"]]
    assert names(await get_ok(client, f"{by_status('active')}&q=gone", buyer)) == []
    assert names(await get_ok(client, f"{by_status('inactive')}&q=gone", buyer)) == ["Gone Ltd"]
    assert error_fields(await client.get(by_status("archived"), headers=buyer)) == ["query.portal_status"]


async def test_pages_of_a_search_follow_one_another_without_gaps_or_repeats(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    for n in range(5):
        await create_supplier(client, buyer, name=f"Match {n}", email=f"m{n}@match.example")
        await create_supplier(client, buyer, name=f"Other {n}", email=f"o{n}@other.example")

    seen: list[str] = []
    path = f"{SUPPLIERS}?q=match&limit=2"
    while True:
        page = await get_ok(client, path, buyer)
        assert len(page["items"]) <= 2
        seen += names(page)
        if not page["next_cursor"]:
            break
        path = f"{SUPPLIERS}?q=match&limit=2&cursor={page['next_cursor']}"
    assert seen == [f"Match {n}" for n in reversed(range(5))]


async def test_the_search_stays_within_the_callers_suppliers(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    tenant = uuid.uuid4()
    buyer = tokens.headers(tokens.buyer(tenant))
    other_buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    mine = await create_supplier(client, buyer, name="Shared Name GmbH", email="one@shared.example")
    await create_supplier(client, other_buyer, name="Shared Name GmbH", email="two@shared.example")

    assert [s["id"] for s in (await get_ok(client, f"{SUPPLIERS}?q=shared", buyer))["items"]] == [mine["id"]]
    supplier_user = tokens.headers(tokens.supplier(uuid.UUID(mine["id"])))
    assert [s["id"] for s in (await get_ok(client, f"{SUPPLIERS}?q=shared", supplier_user))["items"]] == [mine["id"]]


async def test_a_search_longer_than_a_person_types_is_refused_by_its_field(service, tokens: Tokens) -> None:  # type: ignore[no-untyped-def]
    client, _ = service
    buyer = tokens.headers(tokens.buyer(uuid.uuid4()))
    assert error_fields(await client.get(f"{SUPPLIERS}?q={'x' * 101}", headers=buyer)) == ["query.q"]
