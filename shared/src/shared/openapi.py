"""The error answers in every service's OpenAPI document, as they really are.

FastAPI documents only the success answer and a 422 shaped like its own validation error. Every
error here is RFC 9457 problem details (``application/problem+json``, see ``shared.problems``),
so each operation documents the problem answers it can give, by what the operation is:

- every operation: 503 (its database, or the service behind the gateway, is unavailable);
- with a body: 400 (the body cannot be parsed at all: not JSON, not multipart);
- with parameters or a body, or any write (its ``Idempotency-Key`` header is checked): 422;
- with a bearer token: 401 (none, or not one of the gateway's) and 403 (the role may not);
- with path parameters, or a body and a bearer token (a document it names may not exist, or not be
  the caller's): 404;
- a write with a bearer token: 409 (the document's state does not allow it, or the same
  ``Idempotency-Key`` is still in flight);
- with a multipart body (an upload): 413.

A route documents any other answer itself with FastAPI's ``responses=``; an error answer that
the route documented without a body gets the problem details body too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.problems import PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "title": "Type"},
        "title": {"type": "string", "title": "Title"},
        "status": {"type": "integer", "title": "Status"},
        "detail": {"type": "string", "title": "Detail"},
        "errors": {
            "type": "array",
            "title": "Errors",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": ["string", "null"]},
                },
            },
        },
    },
}
DESCRIPTIONS = {
    400: "The body cannot be parsed",
    401: "No bearer token, or not a valid token of the gateway",
    403: "The caller's role may not do this",
    404: "Not found, or not the caller's",
    409: "The document's state does not allow this, or a request with this Idempotency-Key is in flight",
    413: "The upload is over the size cap",
    422: "Invalid input",
    503: "The service or its database is unavailable; try again shortly",
}
METHODS = ("get", "put", "post", "delete", "patch")
WRITES = ("put", "post", "delete", "patch")
_FASTAPI_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def problem_codes(method: str, operation: dict[str, Any]) -> set[int]:
    """The error answers an operation can give, by what it is (see the module's docstring)."""
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    secured = bool(operation.get("security"))
    codes = {503}
    if body:
        codes.add(400)
    if parameters or body or method in WRITES:
        codes.add(422)
    if secured:
        codes |= {401, 403}
    if (body and secured) or any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if secured and method in WRITES:
        codes.add(409)
    if body and "multipart/form-data" in body.get("content", {}):
        codes.add(413)
    return codes


def _without_body(response: dict[str, Any]) -> bool:
    content = response.get("content")
    if not content:
        return True
    schema = content.get("application/json", {}).get("schema", {})
    return len(content) == 1 and schema.get("$ref") == _FASTAPI_VALIDATION_REF


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem answers to every operation of ``schema`` (in place; returned too)."""
    problem_content = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in sorted(problem_codes(method, operation)):
                responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code.isdigit() and int(code) >= 400 and _without_body(response):
                    response["content"] = dict(problem_content)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own validation error shape is never answered.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install_problem_documentation(app: FastAPI) -> None:
    """Make ``app.openapi()`` document the problem answers (once, when the document is built)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        document = build()
        if fresh:
            document_problems(document)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
