"""The gateway's unit of work: identities, the outbox and the inbox on one transaction."""

from __future__ import annotations

from uuid import UUID

from gateway.adapters.login_attempts import LoginAttemptRepository
from gateway.adapters.repository import IdentityRepository
from gateway.domain.model import Invitation, Organisation, User
from shared.db import SqlUnitOfWork


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.identities = IdentityRepository(self.session)
        self.login_attempts = LoginAttemptRepository(self.session)

    async def save_user(self, user: User, *, tenant_id: UUID | None = None) -> None:
        """Persist the user; a supplier user's events go out under the inviting buyer's tenant."""
        await self.identities.save_user(user)
        tenant = user.tenant_id or tenant_id
        assert tenant is not None, "a supplier user's events need the inviting tenant"
        for event in user.events:
            self.outbox.add(event, tenant_id=tenant)
        user.events.clear()

    def publish(self, invitation: Invitation) -> None:
        for event in invitation.events:
            self.outbox.add(event, tenant_id=invitation.tenant_id)
        invitation.events.clear()

    async def save_organisation(self, organisation: Organisation) -> None:
        await self.identities.save_organisation(organisation)
        for event in organisation.events:
            self.outbox.add(event, tenant_id=organisation.id)
        organisation.events.clear()
