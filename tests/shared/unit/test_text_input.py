"""Text no database can store (NUL, unpaired surrogates) is refused with 422 before a handler runs."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError

from shared.text_input import OneLine, StorableTextMiddleware, one_line, unstorable_fields


def app_counting_calls() -> tuple[FastAPI, list[object]]:
    app = FastAPI()
    app.add_middleware(StorableTextMiddleware)
    calls: list[object] = []

    @app.post("/things/{name}")
    async def create(name: str, body: dict) -> dict:
        calls.append(body)
        return {"name": name, "body": body}

    @app.get("/things")
    async def search(q: str = "") -> dict:
        calls.append(q)
        return {"q": q}

    return app, calls


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service")


def test_unstorable_text_is_found_anywhere_in_a_json_value_with_its_place() -> None:
    value = {"name": "ok", "contacts": [{"name": "a\x00b"}, {"phone": "\ud800"}], "bad\x00key": 1, "n": 5}
    assert unstorable_fields(value) == ["body", "contacts.0.name", "contacts.1.phone"]
    # A real astral character (a surrogate pair in JSON) is stored fine.
    assert unstorable_fields({"name": "\U0001f600 Ümlaut \u00a0"}) == []


@pytest.mark.parametrize(
    "raw",
    [
        b'{"contacts": [{"name": "x\\u0000y"}]}',
        b'{"name": "\\udaf4 lone high surrogate"}',
        b'{"name": "\\udc00 lone low surrogate"}',
    ],
)
async def test_a_json_body_with_unstorable_text_is_refused_and_the_handler_never_runs(raw: bytes) -> None:
    app, calls = app_counting_calls()
    async with client(app) as http:
        answer = await http.post("/things/a", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["message"].startswith("text must not contain NUL")
    assert calls == []


async def test_a_nul_in_the_path_or_the_query_is_refused() -> None:
    app, calls = app_counting_calls()
    async with client(app) as http:
        in_path = await http.post("/things/a%00b", json={})
        in_query = await http.get("/things", params={"q": "a\x00b"})
    assert (in_path.status_code, in_query.status_code) == (422, 422)
    assert in_query.json()["errors"] == [{"field": "q", "message": in_query.json()["detail"]}]
    assert calls == []


async def test_ordinary_requests_reach_the_handler_with_their_body_intact() -> None:
    app, calls = app_counting_calls()
    body = {"name": "Müller \U0001f600", "lines": [{"q": "1.5"}]}
    async with client(app) as http:
        answer = await http.post("/things/x", json=body)
        not_json = await http.post("/things/x", content=b"{not json", headers={"content-type": "application/json"})
    assert answer.status_code == 200 and answer.json() == {"name": "x", "body": body}
    assert not_json.status_code == 422  # the route's own validation answers what is not JSON
    assert calls == [body]


@pytest.mark.parametrize(
    "text",
    ["INV-1\r\nBcc: x@example.com", "INV-1\n", "a\tb", "\x1b[31m", "a\x7fb", "a\x85b", "a\u2028b", "a\u2029b"],
)
def test_a_one_line_text_refuses_line_breaks_tabs_and_control_characters(text: str) -> None:
    with pytest.raises(ValueError, match="one line of text"):
        one_line(text)


@pytest.mark.parametrize(
    "text", ["INV-2026/001", "Müller & Söhne GmbH", "株式会社 東京", "Ünïcode 🚚", " spaced  out ", ""]
)
def test_a_one_line_text_keeps_every_printable_character(text: str) -> None:
    assert one_line(text) == text


def test_a_one_line_field_is_refused_by_pydantic_naming_it() -> None:
    class Body(BaseModel):
        number: Annotated[str, OneLine]

    with pytest.raises(ValidationError) as refused:
        Body(number="A\r\nB")
    [error] = refused.value.errors()
    assert error["loc"] == ("number",) and "one line of text" in error["msg"]
