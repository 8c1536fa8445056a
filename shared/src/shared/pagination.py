"""Keyset pagination: ``limit`` and an opaque ``cursor``; answers carry ``next_cursor``."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel

from shared.errors import InvalidInput

T = TypeVar("T")
Out = TypeVar("Out")


class Listed(Protocol):
    """An item of a list paged by (created_at, id)."""

    @property
    def id(self) -> UUID: ...
    @property
    def created_at(self) -> datetime: ...


L = TypeVar("L", bound=Listed)

LimitParam = Annotated[int, Query(ge=1, le=200, description="page size")]
CursorParam = Annotated[str | None, Query(description="next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page_of(found: Sequence[L], limit: int, out: Callable[[L], Out]) -> tuple[list[Out], str | None]:
    """The items of a page read with one row more than ``limit`` (``found``), and the cursor of the
    next page when that row says there is one."""
    page = list(found[:limit])
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if len(found) > limit else None
    return [out(item) for item in page], next_cursor


def decode_cursor(cursor: str | None) -> tuple[datetime, UUID] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), UUID(row_id)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            "invalid cursor", errors=[{"field": "cursor", "message": "not a cursor of this list"}]
        ) from exc


def keyset_after(created_col: Any, id_col: Any, cursor: tuple[datetime, UUID] | None) -> Any:
    """Newest first: rows strictly after the cursor in (created_at desc, id desc) order."""
    from sqlalchemy import true

    if cursor is None:
        return true()
    return keyset_after_cursor(created_col, id_col, cursor_values(cursor))


def keyset_after_cursor(
    created_col: Any, id_col: Any, values: Mapping[str, Any] | None = None, *, oldest_first: bool = False
) -> Any:
    """``keyset_after`` with the cursor's ``values`` (``cursor_values``), or, without, left to bind:
    a statement built once for every page after the first takes them at execution. A list in
    (created_at, id) ascending order (``oldest_first``) goes on with the rows after the cursor in
    that order."""
    from sqlalchemy import and_, or_

    from shared.db import bound

    created_at, row_id = bound("after_created_at", values), bound("after_id", values)
    if oldest_first:
        return or_(created_col > created_at, and_(created_col == created_at, id_col > row_id))
    return or_(created_col < created_at, and_(created_col == created_at, id_col < row_id))


def cursor_values(cursor: tuple[datetime, UUID]) -> dict[str, Any]:
    """The bound values of ``keyset_after_cursor`` for a cursor."""
    created_at, row_id = cursor
    return {"after_created_at": created_at, "after_id": row_id}


def oldest_first_below(
    query: Any, table: Any, owner: str, owner_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int | None
) -> Any:
    """``query`` narrowed to the rows of ``table`` below one owner (its column ``owner``), in
    (created_at, id) ascending order, strictly after the cursor: a conversation or a list of files
    reads top to bottom."""
    from sqlalchemy import true

    created, row_id = table.c.created_at, table.c.id
    following = (
        true() if after is None else keyset_after_cursor(created, row_id, cursor_values(after), oldest_first=True)
    )
    return query.where(table.c[owner] == owner_id, following).order_by(created.asc(), row_id.asc()).limit(limit)
