"""Event contracts stay backward compatible within a topic version, and the published snapshot is current."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from shared.contracts.compatibility import breaking_changes, topic_breaking_changes
from shared.contracts.schemas import REFRESH_COMMAND, all_topic_schemas, check_snapshot, main, render

SNAPSHOT_DIR = Path(__file__).resolve().parents[3] / "docs" / "events" / "schemas"

UUID_STR = {"format": "uuid", "type": "string"}
NULL = {"type": "null"}


def invoice(**changes: Any) -> dict[str, Any]:
    """A hand-made schema shaped like pydantic's: a ``$ref`` to a line, an optional field, an enum."""
    schema: dict[str, Any] = {
        "$defs": {
            "Line": {
                "properties": {"line_no": {"type": "integer"}, "amount": {"type": "string"}},
                "required": ["line_no", "amount"],
                "title": "Line",
                "type": "object",
            }
        },
        "properties": {
            "invoice_id": {**UUID_STR, "title": "Invoice Id"},
            "status": {"enum": ["draft", "paid"], "type": "string"},
            "approver_id": {"anyOf": [UUID_STR, NULL], "default": None},
            "lines": {"items": {"$ref": "#/$defs/Line"}, "type": "array"},
        },
        "required": ["invoice_id", "status", "lines"],
        "title": "Invoice",
        "type": "object",
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = schema
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return schema


# --- the comparison itself ---------------------------------------------------------------------


def test_an_identical_schema_has_no_breaking_change() -> None:
    assert breaking_changes(invoice(), invoice()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"properties__invoice_id": None}, "invoice_id: field removed"),
        ({"properties__invoice_id": {"type": "integer"}}, "invoice_id: retyped from string (uuid) to integer"),
        ({"properties__invoice_id": {"type": "string"}}, "invoice_id: retyped from string (uuid) to string"),
        ({"$defs__Line__properties__line_no": {"type": "string"}}, "lines[].line_no: retyped"),
        ({"$defs__Line__properties__amount": None}, "lines[].amount: field removed"),
        ({"properties__lines": {"items": {"type": "string"}, "type": "array"}}, "lines[]: retyped"),
        ({"properties__approver_id": UUID_STR}, "approver_id: retyped from null | string (uuid) to string (uuid)"),
        ({"properties__invoice_id": {"anyOf": [UUID_STR, NULL]}}, "invoice_id: retyped from string (uuid) to null"),
        ({"required": ["invoice_id", "status", "lines", "approver_id"]}, "approver_id: became required"),
        ({"properties__status": {"enum": ["draft"], "type": "string"}}, "status: enum values removed: 'paid'"),
        ({"properties__status": {"type": "string"}}, "status: retyped from enum of string to string"),
    ],
    ids=[
        "removed field",
        "retyped field",
        "lost format",
        "retyped field behind a $ref",
        "removed field behind a $ref",
        "object became string",
        "optional became non-nullable",
        "became nullable",
        "optional became required",
        "removed enum value",
        "enum became free text",
    ],
)
def test_an_incompatible_change_is_reported(change: dict[str, Any], expected: str) -> None:
    problems = breaking_changes(invoice(), invoice(**change))
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_a_new_required_field_is_reported() -> None:
    new = invoice(properties__currency={"type": "string"}, required=["invoice_id", "status", "lines", "currency"])
    assert breaking_changes(invoice(), new) == ["currency: new required field"]


def test_additive_changes_are_compatible() -> None:
    new = invoice(
        properties__note={"anyOf": [{"type": "string"}, NULL], "default": None},
        properties__status={"enum": ["draft", "paid", "canceled"], "type": "string"},
        properties__invoice_id={**UUID_STR, "title": "Renamed title", "description": "annotations do not count"},
    )
    new["$defs"]["Line"]["properties"]["unit"] = {"default": "pcs", "type": "string"}
    assert breaking_changes(invoice(), new) == []


def test_a_field_that_becomes_optional_with_the_same_type_is_compatible() -> None:
    assert breaking_changes(invoice(), invoice(required=["invoice_id", "status"])) == []


def test_inlining_a_referenced_definition_is_not_a_change() -> None:
    inlined = copy.deepcopy(invoice())
    inlined["properties"]["lines"]["items"] = inlined.pop("$defs")["Line"]
    assert breaking_changes(invoice(), inlined) == []


def test_a_recursive_definition_is_compared_without_looping() -> None:
    tree = {
        "$defs": {"Node": {"properties": {"children": {"items": {"$ref": "#/$defs/Node"}, "type": "array"}}}},
        "$ref": "#/$defs/Node",
    }
    assert breaking_changes(tree, tree) == []


def test_a_removed_event_type_breaks_its_topic_version() -> None:
    old = {"envelope": invoice(), "events": {"InvoicePaid": invoice(), "InvoiceSubmitted": invoice()}}
    new = {"envelope": invoice(), "events": {"InvoiceSubmitted": invoice(), "InvoiceNoted": invoice()}}
    assert topic_breaking_changes(old, new) == ["InvoicePaid: event type removed"]


def test_a_change_to_the_envelope_breaks_every_topic_version() -> None:
    old = {"envelope": invoice(), "events": {}}
    new = {"envelope": invoice(properties__status=None), "events": {}}
    assert topic_breaking_changes(old, new) == ["envelope: status: field removed"]


def test_pydantic_models_compare_as_their_changes_say() -> None:
    class V1(BaseModel):
        invoice_id: str
        note: str | None = None

    class V1Plus(BaseModel):
        invoice_id: str
        note: str | None = None
        paid: bool = False

    class V1Retyped(BaseModel):
        invoice_id: int
        note: str | None = None

    old = V1.model_json_schema(mode="serialization")
    assert breaking_changes(old, V1Plus.model_json_schema(mode="serialization")) == []
    assert breaking_changes(old, V1Retyped.model_json_schema(mode="serialization")) == [
        "invoice_id: retyped from string to integer"
    ]


# --- the published snapshot ----------------------------------------------------------------------


def test_current_contracts_are_backward_compatible_with_the_published_snapshot() -> None:
    breaking, _ = check_snapshot(SNAPSHOT_DIR)
    assert breaking == [], (
        "These changes break subscribers of a published topic version; publish on a new .vN topic instead:\n"
        + "\n".join(breaking)
    )


def test_the_published_snapshot_is_up_to_date() -> None:
    _, stale = check_snapshot(SNAPSHOT_DIR)
    assert stale == [], f"Event schemas changed compatibly; refresh the snapshot: {REFRESH_COMMAND}\n{stale}"


def test_every_topic_version_is_published() -> None:
    assert sorted(p.stem for p in SNAPSHOT_DIR.glob("*.json")) == sorted(all_topic_schemas())


def test_the_check_command_fails_on_a_breaking_change_and_on_a_stale_snapshot(tmp_path: Path) -> None:
    assert main(["--write", str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 0

    path = tmp_path / "invoicing.invoice.v1.json"
    published = json.loads(path.read_text())
    published["events"]["InvoiceSubmitted"]["properties"]["legacy_code"] = {"type": "string"}
    path.write_text(render(published))
    assert check_snapshot(tmp_path)[0] == ["invoicing.invoice.v1 InvoiceSubmitted: legacy_code: field removed"]
    assert main(["--check", str(tmp_path)]) == 1

    del published["events"]["InvoiceSubmitted"]["properties"]["legacy_code"]
    del published["events"]["InvoiceCanceled"]["properties"]["status"]["enum"][0]
    path.write_text(render(published))
    assert check_snapshot(tmp_path) == ([], ["invoicing.invoice.v1"])
    assert main(["--check", str(tmp_path)]) == 1


def test_the_snapshot_is_rendered_deterministically() -> None:
    first = {topic: render(schema) for topic, schema in all_topic_schemas().items()}
    second = {topic: render(schema) for topic, schema in all_topic_schemas().items()}
    assert first == second
    assert all(text.endswith("}\n") for text in first.values())
