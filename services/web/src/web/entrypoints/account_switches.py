"""Switching an account off (every session of theirs ends at its next page) and on again, the same
on a buyer's users page and on a supplier's colleagues page: the routes, and what the list says
once it is done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.adapters.gateway_api import ApiProblem, GatewayApi
from web.domain.accounts import named
from web.entrypoints.deps import Api, CheckedForm, CurrentSession
from web.entrypoints.rendering import sentence

# The list of accounts, shown again with a refusal (``problem``) and its ``status_code``.
AccountsPage = Callable[..., Awaitable[HTMLResponse]]


def add_routes(router: APIRouter, page_path: str, api_path: str, page: AccountsPage) -> None:
    """``<page_path>/<id>/disable`` and ``<page_path>/<id>/enable``, which switch the account
    ``<api_path>/<id>``: back to ``page_path``, which says whose account was switched, or ``page``
    again with what the API refused."""

    async def switch(request: Request, api: GatewayApi, user_id: UUID, action: str) -> Response:
        try:
            await api.post(f"{api_path}/{user_id}/{action}")
        except ApiProblem as problem:
            if not problem.about_the_input:
                raise
            refusal = sentence(f"Nothing was changed: {problem.detail or problem.title}")
            return await page(request, api, problem=refusal, status_code=problem.status)
        switched = "off" if action == "disable" else "on"
        return RedirectResponse(
            f"{page_path}?{urlencode({'switched': switched, 'user': str(user_id)})}", status_code=303
        )

    @router.post(page_path + "/{user_id}/disable", response_class=HTMLResponse)
    async def disable(
        request: Request, session: CurrentSession, api: Api, form: CheckedForm, user_id: UUID
    ) -> Response:
        return await switch(request, api, user_id, "disable")

    @router.post(page_path + "/{user_id}/enable", response_class=HTMLResponse)
    async def enable(request: Request, session: CurrentSession, api: Api, form: CheckedForm, user_id: UUID) -> Response:
        return await switch(request, api, user_id, "enable")


def switched_message(query: Mapping[str, str], accounts: Iterable[Mapping[str, Any]], messages: dict[str, str]) -> str:
    """What the list says once an account was switched (``?switched=off&user=<id>``): the sentence of
    ``messages`` for it, naming the account (one the list shows)."""
    account = named(accounts, "id", query.get("user", ""))
    message = messages.get(query.get("switched", ""), "")
    return message.format(name=account["name"]) if message and account else ""
