"""Suppliers chosen on a buyer's pages: the one a list of orders or invoices is narrowed to (by a
link, its id, or typed in the list's filters, a name or an email found with the API's supplier
search), and those an order or a request for proposals can go to (a select, a list of boxes)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from web.adapters.gateway_api import GatewayApi
from web.domain.sessions import WebSession
from web.entrypoints.rendering import uuid_or_empty

# Enough to offer a choice when what was typed is ambiguous.
CHOICES = 10
# The suppliers a select offers are read in pages of the API's largest size, up to this many pages.
SUPPLIER_PAGES = 10


@dataclass
class SupplierFilter:
    supplier_id: str = ""
    typed: str = ""
    # Several suppliers match what was typed (or none does): the person picks one.
    choices: list[dict[str, Any]] = field(default_factory=list)
    unresolved: bool = False

    def shown_name(self, items: list[dict[str, Any]]) -> str:
        """What the Supplier field shows: what was typed, or the name of the one chosen by a link."""
        if self.typed or not self.supplier_id:
            return self.typed
        return next((str(i.get("supplier_name") or "") for i in items if i.get("supplier_name")), "")


async def supplier_filter(api: GatewayApi, session: WebSession, supplier_id: str, typed: str) -> SupplierFilter:
    """The buyer's supplier filter. What was typed wins over an id: the field shows what it filters by."""
    typed = typed.strip()[:100]
    if not session.is_buyer or not typed:
        return SupplierFilter(supplier_id=uuid_or_empty(supplier_id))
    found = (await api.get("/suppliers", {"q": typed, "limit": CHOICES}))["items"]
    exact = [s for s in found if str(s.get("name") or "").casefold() == typed.casefold()]
    if len(found) == 1 or len(exact) == 1:
        return SupplierFilter(supplier_id=str((exact or found)[0]["id"]), typed=typed)
    return SupplierFilter(typed=typed, choices=found, unresolved=True)


async def all_suppliers(api: GatewayApi) -> list[dict[str, Any]]:
    """Every supplier of the organisation, by name."""
    suppliers = await api.every_item("/suppliers", page_size=200, max_pages=SUPPLIER_PAGES)
    return sorted(suppliers, key=lambda s: str(s.get("name") or "").casefold())


def active(suppliers: list[dict[str, Any]], *, keep: Collection[str] = ()) -> list[dict[str, Any]]:
    """The suppliers an order or a request can go to: those whose portal the buyer did not switch
    off (deactivated); ``keep``, chosen already, stay whatever their state."""
    return [s for s in suppliers if s.get("portal_status") != "inactive" or str(s["id"]) in keep]
