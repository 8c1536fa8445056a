"""Text the services cannot store is refused at the door with 422, before any handler runs.

PostgreSQL stores no NUL character (neither in ``text`` nor in ``jsonb``) and no unpaired UTF-16
surrogate (JSON's ``"\\ud800"`` decodes to one; it is not UTF-8). Either, anywhere in a request's
path, query or JSON body, would otherwise reach the database and fail there as a 500. No text of
the portal has a use for them, so the request is refused whole, naming the fields.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from pydantic import AfterValidator
from starlette.types import Message, Receive, Scope, Send

from shared.asgi import HttpMiddleware
from shared.problems import problem

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# What no one-line text of the portal (a number, a name, a title, a phone) has a use for: control
# characters (line breaks and tabs among them), DEL and the Unicode line and paragraph separators.
# Such a text reaches email headers and file names, where a line break would split the header.
NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ONE_LINE_MESSAGE = "must be one line of text: no line breaks, tabs or other control characters"


def one_line(value: str) -> str:
    """``value`` when it is one line of text; a ValueError (a 422 naming the field) otherwise."""
    if NOT_ONE_LINE.search(value):
        raise ValueError(ONE_LINE_MESSAGE)
    return value


# Annotate a ``str`` field with it: ``Annotated[str, OneLine, StringConstraints(...)]``.
OneLine = AfterValidator(one_line)
MESSAGE = "text must not contain NUL characters or unpaired surrogates"


def unstorable_fields(value: Any, where: str = "body") -> list[str]:
    """The places in a decoded JSON value (keys included) whose text cannot be stored."""
    found: list[str] = []
    pending: list[tuple[str, Any]] = [(where, value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                found.append(path)
        elif isinstance(item, dict):
            for key, child in item.items():
                if UNSTORABLE.search(key):
                    found.append(path)
                pending.append((f"{path}.{key}" if path != "body" else key, child))
        elif isinstance(item, list):
            pending.extend((f"{path}.{i}", child) for i, child in enumerate(item))
    return sorted(set(found))


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media_type = value.split(b";", 1)[0].strip().lower()
            return media_type == b"application/json" or media_type.endswith(b"+json")
    return False


class StorableTextMiddleware(HttpMiddleware):
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        fields = ["path"] if UNSTORABLE.search(scope.get("path", "")) else []
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        fields += sorted({name for name, value in query if UNSTORABLE.search(name + value)})
        if not fields and _is_json(scope):
            body, receive = await _buffered(receive)
            with contextlib.suppress(ValueError, RecursionError):  # not JSON: the route's parsing answers
                fields = unstorable_fields(json.loads(body))
        if fields:
            errors = [{"field": field, "message": MESSAGE} for field in fields]
            await problem(422, "Invalid input", MESSAGE, slug="invalid-input", errors=errors)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app as if unread."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
