"""The notifier unit of work: emails, read models, RFP end notices, reminders, outbox and inbox on one transaction."""

from __future__ import annotations

from notifier.adapters.read_models import DirectoryRepository
from notifier.adapters.reminders import ReminderRepository
from notifier.adapters.repository import EmailRepository
from notifier.adapters.rfp_notices import RfpEndNoticeRepository
from notifier.domain.model import Email
from shared.db import SqlUnitOfWork


class UnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        self.emails = EmailRepository(self.session)
        self.directory = DirectoryRepository(self.session)
        self.rfp_end_notices = RfpEndNoticeRepository(self.session)
        self.reminders = ReminderRepository(self.session)

    async def save(self, email: Email) -> None:
        """Store the email's delivery state and move its recorded events to the outbox."""
        await self.emails.save(email)
        self.outbox.take(email.events, tenant_id=email.tenant_id)
