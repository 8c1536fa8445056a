"""The gateway's routes of accounts that change and end: sign-out, switching users off and on,
passwords, the login email, a supplier's colleagues and a fresh invitation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from gateway.domain.model import User
from gateway.entrypoints.api import issue_token_for
from gateway.entrypoints.deps import ClientIp, Invites, Limits, Links, Uow
from gateway.entrypoints.schemas import (
    Accepted,
    ColleagueInvite,
    ColleagueOut,
    ColleaguePage,
    EmailChangeRequest,
    EmailOut,
    InvitationOut,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    PendingColleagueOut,
    TokenOut,
    UserOut,
)
from gateway.service import accounts, colleagues
from shared.auth import expiry_of
from shared.runtime import CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["accounts"])

THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many attempts from this client or for this account; see Retry-After"}
}


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id, email=user.email, name=user.name, role=user.role, tenant_id=user.tenant_id, active=user.active
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(caller: CurrentPrincipal, request: Request, uow: Uow) -> Response:
    """This token stops working at once (the account's other tokens are not touched)."""
    presented = request.headers["authorization"].split(" ", 1)[1].strip()
    await accounts.sign_out(uow, caller, expiry_of(presented))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users/{user_id}/disable", response_model=UserOut, responses={409: {"description": "One's own account"}})
async def disable_user(user_id: UUID, caller: CurrentPrincipal, uow: Uow) -> UserOut:
    """A buyer admin switches off a user of its organisation: every token of the user answers 401
    from the next request on, and signing in is refused."""
    caller.require_admin()
    return _user_out(await accounts.set_active(uow, caller, user_id, active=False))


@router.post("/users/{user_id}/enable", response_model=UserOut)
async def enable_user(user_id: UUID, caller: CurrentPrincipal, uow: Uow) -> UserOut:
    caller.require_admin()
    return _user_out(await accounts.set_active(uow, caller, user_id, active=True))


@router.post(
    "/me/password", response_model=TokenOut, responses={422: {"description": "Wrong or weak password"}, **THROTTLED}
)
async def change_password(
    body: PasswordChange, caller: CurrentPrincipal, request: Request, uow: Uow, limits: Limits, client_ip: ClientIp
) -> TokenOut:
    """A new password, knowing the current one: every other token of the account stops working;
    the answer is a fresh token for this session."""
    principal = await accounts.change_password(
        uow, caller, body.current_password, body.new_password, client_ip=client_ip, limits=limits
    )
    return issue_token_for(request, principal)


@router.post("/me/email", response_model=Accepted, status_code=status.HTTP_202_ACCEPTED, responses=THROTTLED)
async def request_email_change(
    body: EmailChangeRequest,
    caller: CurrentPrincipal,
    uow: Uow,
    links: Links,
    limits: Limits,
    client_ip: ClientIp,
) -> Accepted:
    """Sign in with another address: a confirmation link goes to it, and the login changes when
    the link is opened (the current address is told)."""
    await accounts.request_email_change(
        uow, caller, str(body.email), body.password, links=links, limits=limits, client_ip=client_ip
    )
    return Accepted(detail=f"a confirmation link was sent to {body.email}")


@router.post(
    "/auth/email-change/{token}",
    response_model=EmailOut,
    responses={404: {"description": "Unknown, used or expired link"}},
)
async def confirm_email_change(token: str, uow: Uow) -> EmailOut:
    """The link of the confirmation email: from now on the account signs in with the new address."""
    user = await accounts.confirm_email_change(uow, token)
    return EmailOut(email=user.email)


@router.post("/auth/password-reset", response_model=Accepted, status_code=status.HTTP_202_ACCEPTED, responses=THROTTLED)
async def request_password_reset(body: PasswordResetRequest, uow: Uow, links: Links, client_ip: ClientIp) -> Accepted:
    """A reset link by email to the account with this address, if there is one: the answer is
    the same either way."""
    await accounts.request_password_reset(uow, str(body.email), client_ip=client_ip, links=links)
    return Accepted(detail="if an account uses this address, a link to reset its password is on its way")


@router.post(
    "/auth/password-reset/{token}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "Unknown, used or expired link"}, 422: {"description": "Weak password"}},
)
async def reset_password(token: str, body: PasswordReset, uow: Uow, limits: Limits, client_ip: ClientIp) -> Response:
    """Set a new password through the emailed link (once); every token of the account stops working."""
    await accounts.reset_password(uow, token, body.password, client_ip=client_ip, limits=limits)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/portal/users", response_model=ColleaguePage)
async def list_colleagues(caller: CurrentPrincipal, uow: Uow) -> ColleaguePage:
    """The accounts working on the caller's supplier records, and colleagues invited not yet in."""
    users, pending = await colleagues.colleagues(uow, caller)
    return ColleaguePage(
        items=[ColleagueOut(id=u.id, email=u.email, name=u.name, active=u.active) for u in users],
        invitations=[
            PendingColleagueOut(email=p.email, name=p.name, invited_by=p.invited_by_name, expires_at=p.expires_at)
            for p in pending
        ],
    )


@router.post("/portal/users", response_model=InvitationOut, status_code=status.HTTP_201_CREATED)
async def invite_colleague(
    body: ColleagueInvite, caller: CurrentPrincipal, uow: Uow, invites: Invites
) -> InvitationOut:
    """Invite a colleague by email to the supplier records of this session; they choose their own
    password when accepting."""
    invitation = await colleagues.invite_colleague(uow, caller, email=str(body.email), name=body.name, settings=invites)
    return InvitationOut(email=invitation.email, expires_at=invitation.expires_at)


@router.post(
    "/portal/users/{user_id}/disable",
    response_model=ColleagueOut,
    responses={409: {"description": "One's own account, or a colleague who also works elsewhere"}},
)
async def disable_colleague(user_id: UUID, caller: CurrentPrincipal, uow: Uow) -> ColleagueOut:
    """Switch a colleague's account off: its tokens answer 401 from the next request on."""
    colleagues.ensure_supplier_user(caller)
    user = await accounts.set_active(uow, caller, user_id, active=False)
    return ColleagueOut(id=user.id, email=user.email, name=user.name, active=user.active)


@router.post("/portal/users/{user_id}/enable", response_model=ColleagueOut)
async def enable_colleague(user_id: UUID, caller: CurrentPrincipal, uow: Uow) -> ColleagueOut:
    colleagues.ensure_supplier_user(caller)
    user = await accounts.set_active(uow, caller, user_id, active=True)
    return ColleagueOut(id=user.id, email=user.email, name=user.name, active=user.active)


@router.post(
    "/suppliers/{supplier_id}/portal/invite",
    response_model=InvitationOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "The supplier's portal access is not active"}},
)
async def reinvite_supplier(supplier_id: UUID, caller: CurrentPrincipal, uow: Uow, invites: Invites) -> InvitationOut:
    """A fresh invitation to the supplier's contact; earlier links stop working."""
    invitation = await colleagues.reinvite_supplier(uow, caller, supplier_id, invites)
    return InvitationOut(email=invitation.email, expires_at=invitation.expires_at)
