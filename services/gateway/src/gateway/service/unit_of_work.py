"""The gateway's unit of work: identities, the outbox and the inbox on one transaction."""

from __future__ import annotations

from uuid import UUID

from gateway.adapters.accounts import AccountRepository
from gateway.adapters.login_attempts import LoginAttemptRepository
from gateway.adapters.repository import IdentityRepository
from gateway.adapters.standing_cache import forget_after_commit
from gateway.domain.accounts import AccountLink
from gateway.domain.model import Invitation, Organisation, User
from shared.db import SqlUnitOfWork

# The tenant of an event about a supplier account no buyer's record reaches any more.
NO_TENANT = UUID(int=0)


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.identities = IdentityRepository(self.session)
        self.login_attempts = LoginAttemptRepository(self.session)
        self.accounts = AccountRepository(self.session)

    async def save_user(self, user: User, *, tenant_id: UUID | None = None) -> None:
        """Persist the user; a supplier user's events go out under the inviting buyer's tenant,
        or, when none is given, the buyer of one of its supplier records."""
        await self.identities.save_user(user)
        self.standing_changes()
        if user.events:
            tenant = user.tenant_id or tenant_id or await self.identities.tenant_of_suppliers(user.supplier_ids)
            assert tenant is not None, "a supplier user's events need a buyer's tenant"
            self.outbox.take(user.events, tenant_id=tenant)

    async def publish_for(self, user: User, link: AccountLink) -> None:
        """The link's email goes out under the user's tenant (a supplier user's: one of its buyers')."""
        tenant = user.tenant_id or await self.identities.tenant_of_suppliers(user.supplier_ids) or NO_TENANT
        self.outbox.take(link.events, tenant_id=tenant)

    def publish(self, invitation: Invitation) -> None:
        self.outbox.take(invitation.events, tenant_id=invitation.tenant_id)

    def standing_changes(self) -> None:
        """What this unit of work commits changes who may do what with a token already issued."""
        forget_after_commit(self.session)

    async def save_organisation(self, organisation: Organisation) -> None:
        await self.identities.save_organisation(organisation)
        self.standing_changes()
        self.outbox.take(organisation.events, tenant_id=organisation.id)
