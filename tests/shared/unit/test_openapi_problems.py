"""Every service's OpenAPI document names the problem answers each operation can give."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from shared.openapi import install_problem_documentation
from shared.problems import PROBLEM_JSON

bearer = HTTPBearer(auto_error=False)
Caller = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class Thing(BaseModel):
    name: str


def documented_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.get("/open")
    async def open_route() -> dict:
        return {}

    @router.post("/login", responses={429: {"description": "Too many attempts"}})
    async def login(body: Thing) -> dict:
        return {}

    @router.get("/things/{thing_id}")
    async def read(thing_id: int, caller: Caller) -> Thing:
        return Thing(name="x")

    @router.get("/things")
    async def listing(caller: Caller, limit: int = 10) -> list[Thing]:
        return []

    @router.post("/things", status_code=201)
    async def create(body: Thing, caller: Caller) -> Thing:
        return body

    @router.post("/things/{thing_id}/files")
    async def upload(thing_id: int, file: UploadFile, caller: Caller) -> dict:
        return {}

    app.include_router(router)
    install_problem_documentation(app)
    return app


def codes(document: dict, method: str, path: str) -> set[str]:
    return set(document["paths"][path][method]["responses"])


def test_each_operation_documents_the_problem_answers_of_its_kind() -> None:
    document = documented_app().openapi()
    assert codes(document, "get", "/open") == {"200", "503"}
    assert codes(document, "post", "/login") == {"200", "400", "422", "429", "503"}
    assert codes(document, "get", "/things/{thing_id}") == {"200", "401", "403", "404", "422", "503"}
    assert codes(document, "get", "/things") == {"200", "401", "403", "422", "503"}
    assert codes(document, "post", "/things") == {"201", "400", "401", "403", "404", "409", "422", "503"}
    assert codes(document, "post", "/things/{thing_id}/files") == {
        "200", "400", "401", "403", "404", "409", "413", "422", "503"
    }  # fmt: skip


def test_every_error_answer_is_a_problem_document_never_fastapis_validation_error() -> None:
    document = documented_app().openapi()
    for item in document["paths"].values():
        for operation in item.values():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["Problem"]["required"] == ["type", "title", "status", "detail"]


def test_the_document_is_built_once_and_kept() -> None:
    app = documented_app()
    assert app.openapi() is app.openapi()
