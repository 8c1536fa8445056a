"""``GET /api/v1/portal/summary``: what needs the caller's attention, gathered from the services
that own it (orders, RFPs, invoices), each answering in the caller's own scope."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from gateway.adapters.upstreams import Upstreams
from shared.errors import DomainError
from shared.runtime import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["portal"])


class SummaryUnavailable(DomainError):
    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"


class PortalSummary(BaseModel):
    unprocessed_orders: int
    open_orders: int
    invoices_by_status: dict[str, int]
    open_rfps: int
    orders_by_status: dict[str, int] = Field(
        default_factory=dict, description="every purchase order status, 0 when there are none"
    )
    waiting_for_me: int = Field(0, description="pending invoices routed to the caller for a decision")


@router.get("/portal/summary", response_model=PortalSummary)
async def portal_summary(request: Request, caller: CurrentPrincipal) -> PortalSummary:
    upstreams: Upstreams = request.app.state.upstreams
    headers = {"authorization": request.headers["authorization"]}

    async def fetch(service: str, path: str) -> dict[str, Any]:
        try:
            answer = await upstreams.client.get(upstreams.url(service, path), headers=headers, timeout=10.0)
        except httpx.HTTPError:
            raise SummaryUnavailable(f"the {service} service is unavailable; try again shortly") from None
        if answer.status_code != 200:
            raise SummaryUnavailable(f"the {service} service answered {answer.status_code}")
        result: dict[str, Any] = answer.json()
        return result

    orders, rfps, invoices = await asyncio.gather(
        fetch("orders", "/api/v1/purchase-orders/summary"),
        fetch("orders", "/api/v1/rfps/summary"),
        fetch("invoicing", "/api/v1/invoices/summary"),
    )
    return PortalSummary(
        unprocessed_orders=orders["unprocessed_orders"],
        open_orders=orders.get("open_orders", 0),
        invoices_by_status=invoices["invoices_by_status"],
        open_rfps=rfps["open_rfps"],
        orders_by_status=orders.get("orders_by_status", {}),
        waiting_for_me=invoices.get("waiting_for_me", 0),
    )
