"""HTTP API of the buyer's supplier custom field definitions (buyer admins and users; suppliers 403)."""

from __future__ import annotations

from fastapi import APIRouter, status

from shared.pagination import CursorParam, LimitParam, decode_cursor, page_of
from shared.runtime import CurrentPrincipal
from suppliers.entrypoints.custom_field_schemas import (
    CustomFieldCreate,
    CustomFieldOut,
    CustomFieldPage,
    CustomFieldPatch,
)
from suppliers.entrypoints.deps import Uow
from suppliers.service import custom_fields

router = APIRouter(prefix="/api/v1/supplier-custom-fields", tags=["supplier custom fields"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CustomFieldOut)
async def define_field(body: CustomFieldCreate, caller: CurrentPrincipal, uow: Uow) -> CustomFieldOut:
    return CustomFieldOut.of(await custom_fields.define_field(uow, caller, **body.model_dump()))


@router.get("", response_model=CustomFieldPage)
async def list_fields(
    caller: CurrentPrincipal, uow: Uow, limit: LimitParam = 50, cursor: CursorParam = None
) -> CustomFieldPage:
    found = await custom_fields.list_fields(uow, caller, limit=limit + 1, after=decode_cursor(cursor))
    items, next_cursor = page_of(found, limit, CustomFieldOut.of)
    return CustomFieldPage(items=items, next_cursor=next_cursor)


@router.patch("/{key}", response_model=CustomFieldOut)
async def change_field(key: str, body: CustomFieldPatch, caller: CurrentPrincipal, uow: Uow) -> CustomFieldOut:
    return CustomFieldOut.of(await custom_fields.change_field(uow, caller, key, body.changes()))
