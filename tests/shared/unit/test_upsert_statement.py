"""``shared.db.upsert``: one statement per table and shape, the row bound at execution."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid
from sqlalchemy.dialects import postgresql

from shared.db import upsert

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", String(50), nullable=False),
    Column("revision", Integer, nullable=False),
)
COLUMNS = ("id", "tenant_id", "name", "revision")


def sql(statement: object) -> str:
    return str(statement.compile(dialect=postgresql.dialect(), column_keys=list(COLUMNS)))  # type: ignore[attr-defined]


def test_the_key_and_the_kept_columns_are_never_overwritten() -> None:
    text = sql(upsert(things, COLUMNS, keep=("tenant_id",)))
    assert "ON CONFLICT (id) DO UPDATE SET name = excluded.name, revision = excluded.revision" in text
    assert "WHERE" not in text and "RETURNING" not in text


def test_a_version_column_lets_only_a_newer_row_replace_the_stored_one() -> None:
    assert "WHERE things.revision < excluded.revision" in sql(upsert(things, COLUMNS, newer="revision"))
    assert "WHERE things.revision <= excluded.revision" in sql(upsert(things, COLUMNS, newer="revision", or_equal=True))


def test_returning_gives_the_key_of_a_row_written() -> None:
    assert sql(upsert(things, COLUMNS, newer="revision", returning=True)).endswith("RETURNING things.id")


def test_a_shape_is_built_once() -> None:
    assert upsert(things, COLUMNS, newer="revision") is upsert(things, COLUMNS, newer="revision")
    assert upsert(things, COLUMNS, newer="revision") is not upsert(things, COLUMNS)
