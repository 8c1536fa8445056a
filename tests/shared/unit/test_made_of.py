"""One object made of another's values of the same names: a row's columns or an object's attributes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, Numeric, String, Table, Uuid, select
from sqlalchemy.engine.result import result_tuple

from shared.fields import made_of


@dataclass(frozen=True)
class Line:
    line_id: UUID
    description: str
    quantity: Decimal
    notes: tuple[str, ...] = field(default=())


class LineOut(BaseModel):
    id: UUID
    description: str
    quantity: Decimal


@dataclass
class Stored:
    id: UUID
    line_id: UUID
    description: str
    quantity: Decimal
    written_by: str


def test_a_model_takes_the_attributes_of_its_field_names_and_the_given_ones() -> None:
    stored = Stored(uuid4(), uuid4(), "Bolts", Decimal("2.50"), "ann")
    out = made_of(LineOut, stored, id=stored.line_id)
    assert out == LineOut(id=stored.line_id, description="Bolts", quantity=Decimal("2.50"))


def test_a_given_value_wins_over_the_source_and_a_missing_one_keeps_its_default() -> None:
    stored = Stored(uuid4(), uuid4(), "Bolts", Decimal("1"), "ann")
    line = made_of(Line, stored, description="Nuts")
    assert line == Line(stored.line_id, "Nuts", Decimal("1"))
    assert line.notes == ()


def test_a_required_value_the_source_lacks_is_an_error_not_a_silent_none() -> None:
    with pytest.raises(TypeError):
        made_of(Line, object())


def test_a_row_gives_the_columns_of_the_names_asked_and_its_other_columns_are_left() -> None:
    metadata = MetaData()
    lines = Table(
        "lines",
        metadata,
        Column("line_id", Uuid),
        Column("description", String),
        Column("quantity", Numeric),
        Column("position", Integer),
    )
    row_id = uuid4()
    # A result row as SQLAlchemy makes it, without a database.
    keys = [c.name for c in select(lines).selected_columns]
    row = result_tuple(keys)((row_id, "Washers", Decimal("3"), 7))
    assert made_of(Line, row) == Line(row_id, "Washers", Decimal("3"))


@given(st.text(), st.decimals(allow_nan=False, allow_infinity=False), st.datetimes(timezones=st.just(UTC)))
def test_what_is_made_holds_exactly_the_values_it_was_made_of(
    description: str, quantity: Decimal, when: datetime
) -> None:
    @dataclass
    class Source:
        line_id: UUID
        description: str
        quantity: Decimal
        when: datetime

    source = Source(uuid4(), description, quantity, when)
    line = made_of(Line, source)
    assert (line.line_id, line.description, line.quantity) == (source.line_id, description, quantity)
