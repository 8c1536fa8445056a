"""HTTP API of the buyer's supplier records: thin translation between JSON and the use cases."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from shared.contracts.suppliers import PortalStatus, SupplierContact
from shared.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from shared.runtime import CurrentPrincipal
from suppliers.entrypoints.deps import Uow
from suppliers.entrypoints.schemas import SupplierCreate, SupplierOut, SupplierPage, SupplierPatch, SupplierSearch
from suppliers.service import commands, queries

router = APIRouter(prefix="/api/v1", tags=["suppliers"])


@router.post("/suppliers", status_code=status.HTTP_201_CREATED, response_model=SupplierOut)
async def create_supplier(body: SupplierCreate, caller: CurrentPrincipal, uow: Uow) -> SupplierOut:
    view = await commands.register_supplier(
        uow,
        caller,
        name=body.name,
        email=str(body.email),
        currency=body.currency,
        tolerance_rate=body.tolerance_rate,
        tolerance_amount=body.tolerance_amount,
        phone=body.phone,
        contacts=[SupplierContact(**c.model_dump(mode="json")) for c in body.contacts],
        custom_fields=body.custom_fields,
        payment_terms_days=body.payment_terms_days,
        legal_name=body.legal_name,
        address=body.address,
        tax_id=body.tax_id,
    )
    return SupplierOut.of(view)


@router.get("/suppliers", response_model=SupplierPage)
async def list_suppliers(
    caller: CurrentPrincipal,
    uow: Uow,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    q: Annotated[
        SupplierSearch | None,
        Query(
            description="suppliers whose name or email holds this text, in any case "
            '("acme" finds "ACME Tools" and "sales@acme.example"); "%" and "_" match themselves'
        ),
    ] = None,
    portal_status: Annotated[
        PortalStatus | None,
        Query(description="only the suppliers in this portal status: not_invited, active or inactive"),
    ] = None,
) -> SupplierPage:
    """The caller's suppliers, newest first, filtered by ``q`` and ``portal_status``; a cursor
    pages on within the same filters."""
    found = await queries.list_suppliers(
        uow, caller, limit=limit + 1, after=decode_cursor(cursor), search=q or None, portal_status=portal_status
    )
    page = found[:limit]
    last = page[-1].supplier if page else None
    next_cursor = encode_cursor(last.created_at, last.id) if last and len(found) > limit else None
    items = [SupplierOut.of(v, for_supplier=caller.is_supplier) for v in page]
    return SupplierPage(items=items, next_cursor=next_cursor)


@router.get("/suppliers/{supplier_id}", response_model=SupplierOut)
async def get_supplier(supplier_id: UUID, caller: CurrentPrincipal, uow: Uow) -> SupplierOut:
    view = await queries.get_supplier(uow, caller, supplier_id)
    return SupplierOut.of(view, for_supplier=caller.is_supplier)


@router.patch("/suppliers/{supplier_id}", response_model=SupplierOut)
async def patch_supplier(supplier_id: UUID, body: SupplierPatch, caller: CurrentPrincipal, uow: Uow) -> SupplierOut:
    return SupplierOut.of(await commands.update_supplier(uow, caller, supplier_id, body.changes()))


@router.post("/suppliers/{supplier_id}/portal/activate", response_model=SupplierOut)
async def activate_portal(supplier_id: UUID, caller: CurrentPrincipal, uow: Uow) -> SupplierOut:
    return SupplierOut.of(await commands.activate_portal(uow, caller, supplier_id))


@router.post("/suppliers/{supplier_id}/portal/deactivate", response_model=SupplierOut)
async def deactivate_portal(supplier_id: UUID, caller: CurrentPrincipal, uow: Uow) -> SupplierOut:
    return SupplierOut.of(await commands.deactivate_portal(uow, caller, supplier_id))
