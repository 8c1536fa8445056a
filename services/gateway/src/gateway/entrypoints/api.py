"""The gateway's own routes: tokens (and a supplier user's switch between its supplier records),
invitations, the caller, buyer users, organisation settings."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, status

from gateway.domain.model import Organisation
from gateway.entrypoints.deps import ClientIp, Limits, Uow
from gateway.entrypoints.schemas import (
    AcceptInvitation,
    MeOut,
    SettingsOut,
    SettingsPatch,
    SupplierOrganisationOut,
    SupplierSwitch,
    TokenOut,
    TokenRequest,
    UserCreate,
    UserOut,
    UserPage,
)
from gateway.service import commands, queries
from shared.auth import Principal, expiry_of
from shared.fields import made_of
from shared.pagination import LimitParam
from shared.runtime import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["identity"])


def issue_token_for(request: Request, principal: Principal, *, not_after: datetime | None = None) -> TokenOut:
    issuer = request.app.state.token_issuer
    token = issuer.issue(principal, not_after=not_after)
    expires_in = issuer.ttl_s if not_after is None else int((expiry_of(token) - datetime.now(UTC)).total_seconds())
    return TokenOut(access_token=token, expires_in=max(expires_in, 0))


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={
        401: {"description": "Unknown email or wrong password"},
        429: {"description": "Too many failed sign-ins for this account or client; see Retry-After"},
    },
)
async def issue_token(body: TokenRequest, request: Request, uow: Uow, limits: Limits, client_ip: ClientIp) -> TokenOut:
    principal = await commands.sign_in(uow, str(body.email), body.password, client_ip=client_ip, limits=limits)
    return issue_token_for(request, principal)


@router.post(
    "/auth/invitations/{token}/accept",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        401: {"description": "The invited email has an account and this is not its password"},
        409: {"description": "The invited email belongs to a buyer account"},
        429: {"description": "Too many failed sign-ins for the invited account or this client; see Retry-After"},
    },
)
async def accept_invitation(
    token: str, body: AcceptInvitation, request: Request, uow: Uow, limits: Limits, client_ip: ClientIp
) -> TokenOut:
    """A new supplier account, or, when the invited email has one already, that account with the
    invitation's supplier added: ``password`` is then that account's, under the sign-in limits."""
    client_ip = request.client.host if request.client else None
    principal = await commands.accept_invitation(
        uow, token, password=body.password, name=body.name, client_ip=client_ip, limits=limits
    )
    return issue_token_for(request, principal)


@router.post(
    "/auth/switch",
    response_model=TokenOut,
    responses={
        401: {"description": "No valid token, or the account is disabled or gone"},
        403: {"description": "The caller is not a supplier user"},
        404: {"description": "Not one of the caller's supplier records, or its portal is off"},
    },
)
async def switch_supplier(body: SupplierSwitch, caller: CurrentPrincipal, request: Request, uow: Uow) -> TokenOut:
    """A token of the same supplier user for one supplier record alone: every service then answers
    with that buyer organisation's documents only. Any token of the user switches to any of its
    records still linked and active (the links are read again, as at sign-in). The new token
    expires when the presented one does: switching never extends a session."""
    principal = await commands.switch_supplier(uow, caller, body.supplier_id)
    presented = request.headers["authorization"].split(" ", 1)[1].strip()
    return issue_token_for(request, principal, not_after=expiry_of(presented))


@router.get("/me", response_model=MeOut)
async def me(caller: CurrentPrincipal, uow: Uow) -> MeOut:
    user, organisations = await queries.caller_identity(uow, caller)
    return MeOut(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        tenant_id=user.tenant_id,
        supplier_ids=sorted(caller.supplier_ids),
        restricted_supplier_ids=sorted(caller.restricted_supplier_ids),
        organisations=[made_of(SupplierOrganisationOut, o) for o in organisations],
    )


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, caller: CurrentPrincipal, uow: Uow) -> UserOut:
    user = await commands.create_buyer_user(
        uow, caller, email=str(body.email), name=body.name, password=body.password, role=body.role
    )
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role, tenant_id=user.tenant_id)


@router.get("/users", response_model=UserPage)
async def list_users(caller: CurrentPrincipal, uow: Uow, limit: LimitParam = 200) -> UserPage:
    users = await queries.list_buyer_users(uow, caller, limit)
    return UserPage(
        items=[
            UserOut(id=u.id, email=u.email, name=u.name, role=u.role, tenant_id=u.tenant_id, active=u.active)
            for u in users
        ]
    )


def _settings_out(organisation: Organisation) -> SettingsOut:
    return made_of(SettingsOut, organisation, organisation_id=organisation.id)


@router.get("/settings", response_model=SettingsOut)
async def get_settings(caller: CurrentPrincipal, uow: Uow) -> SettingsOut:
    return _settings_out(await queries.get_settings(uow, caller))


@router.patch("/settings", response_model=SettingsOut)
async def patch_settings(body: SettingsPatch, caller: CurrentPrincipal, uow: Uow) -> SettingsOut:
    return _settings_out(await commands.change_settings(uow, caller, body.changes()))
