"""A response document is built from exactly the response model's fields; a page is valid JSON."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, create_model
from sqlalchemy import column

from shared.json_documents import json_object, page


class Answer(BaseModel):
    id: int
    name: str


def test_a_document_missing_a_field_of_the_model_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match=r"missing \['name'\]"):
        json_object(Answer, {"id": column("id")})


def test_a_document_with_a_field_the_model_lacks_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match=r"not in the model \['extra'\]"):
        json_object(Answer, {"id": column("id"), "name": column("name"), "extra": column("x")})


def test_a_model_with_more_fields_than_one_call_takes_is_refused_when_built() -> None:
    wide = create_model("Wide", **{f"f{n}": (int, ...) for n in range(51)})  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="51 fields"):
        json_object(wide, {f"f{n}": column(f"f{n}") for n in range(51)})


def test_the_document_follows_the_models_field_order_whatever_the_order_given() -> None:
    sql = str(json_object(Answer, {"name": column("name"), "id": column("id")}))
    assert sql.index("'id'") < sql.index("'name'")


@pytest.mark.parametrize("cursor", [None, "eyJhIjoxfQ", 'odd "cursor"'])
def test_a_page_of_documents_is_json_with_its_cursor(cursor: str | None) -> None:
    body = page(['{"id" : 1}', '{"id" : 2}'], cursor)
    assert json.loads(body) == {"items": [{"id": 1}, {"id": 2}], "next_cursor": cursor}
    assert json.loads(page([], None)) == {"items": [], "next_cursor": None}
