"""The dashboard: what needs the person's attention."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.entrypoints.deps import Api, CurrentSession
from web.entrypoints.rendering import render

router = APIRouter(tags=["dashboard"])


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    summary, unprocessed = await asyncio.gather(
        api.get("/portal/summary"),
        api.get("/purchase-orders", {"status": "sent", "limit": 5}),
    )
    new_orders = [o for o in unprocessed["items"] if not o.get("acknowledged_at")]
    return render(request, "dashboard.html", summary=summary, new_orders=new_orders)
