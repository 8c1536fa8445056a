"""An in-memory unit of work for the use cases: read models, RFP end notices and queued emails."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from notifier.domain.messages import EmailDraft
from notifier.domain.model import Email
from notifier.domain.read_models import BuyerOrganisation, PortalUser, SupplierContact


class FakeDirectory:
    def __init__(self) -> None:
        self.suppliers: dict[UUID, SupplierContact] = {}
        self.users: dict[UUID, PortalUser] = {}
        self.organisations: dict[UUID, BuyerOrganisation] = {}

    async def supplier(self, supplier_id: UUID, *, tenant_id: UUID) -> SupplierContact | None:
        found = self.suppliers.get(supplier_id)
        return found if found is not None and found.tenant_id == tenant_id else None

    async def user(self, user_id: UUID) -> PortalUser | None:
        return self.users.get(user_id)

    async def organisation_name(self, tenant_id: UUID) -> str | None:
        found = self.organisations.get(tenant_id)
        return found.name if found else None


class FakeNotices:
    def __init__(self) -> None:
        self.told: set[tuple[UUID, UUID]] = set()

    async def first_time(self, rfp_id: UUID, supplier_id: UUID, now: datetime) -> bool:
        if (rfp_id, supplier_id) in self.told:
            return False
        self.told.add((rfp_id, supplier_id))
        return True


class FakeEmails:
    def __init__(self) -> None:
        self.queued: dict[UUID, Email] = {}

    async def add(self, email: Email) -> bool:
        if email.id in self.queued:
            return False
        self.queued[email.id] = email
        return True


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.directory = FakeDirectory()
        self.rfp_end_notices = FakeNotices()
        self.emails = FakeEmails()

    async def save(self, email: Email) -> None:
        self.emails.queued[email.id] = email

    def sent(self) -> list[tuple[str, str]]:
        """(recipient, template) of every email queued, in order."""
        return [(email.recipient, email.template) for email in self.emails.queued.values()]


class FakeRenderer:
    """Keeps the drafts it was given; the message is the subject, enough for the rules."""

    def __init__(self) -> None:
        self.drafts: list[EmailDraft] = []

    def render(self, draft: EmailDraft, *, email_id: UUID, now: datetime) -> bytes:
        self.drafts.append(draft)
        return draft.subject.encode()
