"""The dashboard: what needs the person's attention."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from web.entrypoints.deps import Api, CurrentSession
from web.entrypoints.rendering import panel, render

router = APIRouter(tags=["dashboard"])


@router.get("/", response_class=HTMLResponse)
async def dashboard(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    """The counts; the newest orders follow once the page is shown."""
    return render(request, "dashboard.html", summary=await api.get("/portal/summary"))


@router.get("/dashboard/new-orders", response_class=HTMLResponse)
async def new_orders(request: Request, session: CurrentSession, api: Api) -> HTMLResponse:
    sent = await api.get("/purchase-orders", {"status": "sent", "limit": 5})
    unseen = [o for o in sent["items"] if not o.get("acknowledged_at")]
    return panel(request, "partials/new_orders.html", "New purchase orders", base="/", new_orders=unseen)
