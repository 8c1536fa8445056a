"""Use cases: email a password reset link, and a change of sign-in address (the confirmation to
the new address, a notice to the current one).

Account events name no buyer document: the email is listed under the tenant of the event's
envelope (the buyer's for a buyer user, the inviting buyer's for a supplier user).
"""

from __future__ import annotations

from uuid import UUID

from notifier.domain import accounts
from notifier.service.email_queue import Renderer, queue_email
from notifier.service.unit_of_work import UnitOfWork
from shared.contracts.identity import LoginEmailChangeRequested, PasswordResetRequested


async def email_password_reset(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, tenant_id: UUID, event: PasswordResetRequested
) -> None:
    await queue_email(uow, renderer, event_id, tenant_id, accounts.password_reset(event))


async def email_login_email_change(
    uow: UnitOfWork, renderer: Renderer, event_id: UUID, tenant_id: UUID, event: LoginEmailChangeRequested
) -> None:
    for draft in accounts.login_email_change(event):
        await queue_email(uow, renderer, event_id, tenant_id, draft)
