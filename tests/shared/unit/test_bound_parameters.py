"""``shared.db.bound``: one definition of a condition, with its values now or bound at execution."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql

from shared.db import bound

things = Table("things", MetaData(), Column("name", String(50)), Column("kind", String(20)))


def named(values: dict[str, Any] | None) -> Any:
    return things.c.name.in_(bound("names", values, expanding=True))


def compiled(statement: Any) -> Any:
    return statement.compile(dialect=postgresql.dialect())


def test_a_condition_left_to_bind_takes_its_values_by_name_at_execution() -> None:
    statement = select(things).where(named(None))
    assert "__[POSTCOMPILE_names]" in str(compiled(statement))
    assert compiled(statement).construct_params({"names": ["a"]}) == {"names": ["a"]}


def test_a_condition_with_its_values_compiles_like_the_one_left_to_bind() -> None:
    now = select(things).where(named({"names": ["a", "b"]}))
    other = select(things).where(named({"names": ["c"]}))
    assert now._generate_cache_key() == other._generate_cache_key()  # one compiled form for every value
    assert list(compiled(now).params.values()) == [["a", "b"]]


def test_the_same_condition_twice_with_two_values_keeps_both() -> None:
    statement = select(things).where(
        things.c.kind == bound("kind", {"kind": "bolt"}), things.c.name == bound("kind", {"kind": "nut"})
    )
    assert sorted(compiled(statement).params.values()) == ["bolt", "nut"]
