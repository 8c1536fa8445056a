"""Response documents written by PostgreSQL, the same JSON the pydantic response models write.

A page of fifty orders with their lines is a few hundred rows; decoding them into Python values,
building the response models and serializing those again cost a list request most of its CPU.
A page query can instead select each item as one ``json_build_object`` text, which the endpoint
joins into the page as it is. ``json_object`` builds that expression from the response model
itself (every field, in the model's order, nothing else), and the value expressions here
write what pydantic writes for the column types the models use.

Integers, booleans, strings, UUIDs, dates and ``None`` come out of ``json_build_object`` as
pydantic writes them; ``numeric`` and ``timestamptz`` need ``decimal`` and ``instant``, a money
total rounded as ``round_money`` rounds it ``money``, and a model stored as ``jsonb`` (written
in mode "json") ``stored``, which picks the response model's fields in its order (``jsonb``
keeps its keys sorted by length). Only the whitespace between tokens differs (PostgreSQL writes
``"a" : 1``), which no JSON reader sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import UnionType
from typing import Any, NamedTuple, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import Select, Text, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Executable

from shared.auth import Principal, scope_values
from shared.money import DEFAULT_MINOR_UNIT, MINOR_UNITS
from shared.pagination import cursor_values

_EMPTY_ARRAY = literal_column("'[]'::json", JSON)
# PostgreSQL passes a function at most 100 arguments: a name and a value per field.
_MAX_FIELDS = 50


class PageItem(NamedTuple):
    """One item of a page: its keyset position and its document, JSON text written by PostgreSQL."""

    created_at: datetime
    id: UUID
    document: str


class PageQuery(NamedTuple):
    """A page statement that selects (created_at, id, document text) and the values of its bound
    parameters for one request. The statement is built once per shape (which filters, whose
    scope, after a cursor or not) and kept: SQLAlchemy then finds its compiled form by the
    object's memoized cache key instead of walking the document's expression (hundreds of
    elements) on every request."""

    statement: Select[Any]
    values: dict[str, Any]

    def with_values(self) -> Executable:
        """The statement carrying this request's values (to compile it on its own, as the bench does)."""
        return self.statement.params(self.values)


# The bound parameter of a page statement's LIMIT.
PAGE_LIMIT = "page_limit"


def page_values(scope: Principal, *, limit: int, after: tuple[datetime, UUID] | None, **filters: Any) -> dict[str, Any]:
    """The values of a page statement's bound parameters for one request: the caller
    (``scope_values``), ``PAGE_LIMIT``, the cursor's (``cursor_values``) after the first page,
    and each filter that is given, under its own name."""
    values = scope_values(scope) | {PAGE_LIMIT: limit}
    if after is not None:
        values |= cursor_values(after)
    return values | {name: value for name, value in filters.items() if value is not None}


class PageReader:
    """Runs a page query in a unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def items(self, query: PageQuery) -> list[PageItem]:
        return [PageItem(*row) for row in (await self._session.execute(query.statement, query.values)).all()]


def decimal(column: Any) -> ColumnElement[str]:
    """A ``numeric`` as its text, as ``DecimalStr`` writes it (the stored scale kept: "50.00")."""
    return cast(column, Text)


def instant(column: Any) -> ColumnElement[str]:
    """A ``timestamptz`` as pydantic writes an aware UTC datetime: ``2026-01-02T03:04:05Z``,
    with ``.ffffff`` when it has microseconds; NULL stays NULL."""
    utc = func.timezone("UTC", column)
    seconds = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS', type_=Text)
    fraction = case((func.date_trunc("second", column) == column, ""), else_=func.to_char(utc, ".US", type_=Text))
    return seconds + fraction + "Z"


def money(amount: Any, currency: Any) -> ColumnElement[str]:
    """``round_money(amount, currency)`` as text: half-up (PostgreSQL's ``round`` of a numeric) to
    the currency's minor unit, that many decimals written even when they are zeros."""
    decimals = case(
        *((func.upper(currency) == code, literal_column(str(units))) for code, units in MINOR_UNITS.items()),
        else_=literal_column(str(DEFAULT_MINOR_UNIT)),
    )
    return cast(func.round(amount, decimals), Text)


def stored(model: type[BaseModel], source: Any) -> ColumnElement[Any]:
    """``model``'s document from ``source``, a ``jsonb`` that ``model`` or a model with the same
    fields and more wrote with ``model_dump(mode="json")``; a nested model, a list or an optional
    of one is rebuilt the same way, in the model's field order. NULL stays NULL. A field written
    after ``source`` was stored reads as its default where that is a plain value (a flag added
    later is false in older documents, as pydantic reads them)."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        value = source.op("->")(literal_column(f"'{name}'"))
        nested, many = _nested_model(field.annotation)
        if nested is not None and many:
            values[name] = stored_list(nested, value)
        elif nested is not None:
            values[name] = stored(nested, value)
        else:
            default = None if field.is_required() else field.get_default(call_default_factory=False)
            if isinstance(default, bool | int | str):
                # Written into the statement (a model's own default, never a caller's value): a
                # bound value's type is unknown to PostgreSQL inside to_jsonb.
                written = json.dumps(default).replace("'", "''")
                value = func.coalesce(value, literal_column(f"'{written}'::jsonb"))
            values[name] = value
    return case((func.jsonb_typeof(source) == "object", json_object(model, values)), else_=None)


def stored_list(model: type[BaseModel], source: Any) -> ColumnElement[Any]:
    """A ``jsonb`` array of what ``model`` wrote, each item as ``stored`` rebuilds it, in the
    array's order; ``[]`` when it is empty."""
    element = func.jsonb_array_elements(source).table_valued("value", with_ordinality="ordinality")
    items = json_array(stored(model, element.c.value), order_by=element.c.ordinality)
    return select(items).select_from(element).scalar_subquery()


def _nested_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the model in ``annotation``, whether it is a list of it): ``M``, ``M | None``, ``list[M]``."""
    many = get_origin(annotation) is list
    for candidate in get_args(annotation) if many or get_origin(annotation) in (Union, UnionType) else (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate, many
    return None, False


def json_object(model: type[BaseModel], values: Mapping[str, Any]) -> ColumnElement[Any]:
    """``json_build_object`` of ``model``'s fields in its order, each from ``values``.

    Raises ``ValueError`` at import time, not at the first request, when ``values`` misses one of
    the model's fields or names one it does not have, or the model has more fields than one
    ``json_build_object`` takes (nest a part of it then)."""
    fields = list(model.model_fields)
    if len(fields) > _MAX_FIELDS:
        raise ValueError(f"{model.__name__}: {len(fields)} fields, json_build_object takes {_MAX_FIELDS}")
    if set(values) != set(fields):
        missing, extra = sorted(set(fields) - set(values)), sorted(set(values) - set(fields))
        raise ValueError(f"{model.__name__}: values missing {missing}, not in the model {extra}")
    arguments: list[Any] = []
    for name in fields:
        if not name.isidentifier():
            raise ValueError(f"{model.__name__}: field {name!r} is not a plain name")
        arguments += [literal_column(f"'{name}'"), values[name]]
    return func.json_build_object(*arguments, type_=JSON)


def json_array(element: Any, *, order_by: Sequence[Any] | Any) -> ColumnElement[Any]:
    """The rows' ``element`` as one JSON array in ``order_by`` order; ``[]`` when there are none."""
    ordering = order_by if isinstance(order_by, Sequence) else (order_by,)
    return func.coalesce(func.json_agg(aggregate_order_by(element, *ordering), type_=JSON), _EMPTY_ARRAY)


def page(items: Iterable[str], next_cursor: str | None) -> bytes:
    """``{"items": [...], "next_cursor": ...}`` from item documents that are JSON text already."""
    return ('{"items":[' + ",".join(items) + '],"next_cursor":' + json.dumps(next_cursor) + "}").encode()
