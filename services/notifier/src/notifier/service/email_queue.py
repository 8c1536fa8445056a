"""Queueing a drafted email, and finding its recipient (and the buyer it names) in the read models.

Used by the event handlers inside the unit of work their consumer opened: the queued email
commits with the inbox record, or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from notifier.domain.errors import BuyerNotKnownYet, RecipientNotKnownYet
from notifier.domain.headers import MAX_ADDRESS_LENGTH, InvalidRecipient, header_text, single_address
from notifier.domain.messages import EmailDraft
from notifier.domain.model import Email, email_id_for
from notifier.domain.read_models import PortalUser, SupplierContact
from notifier.service.unit_of_work import UnitOfWork


class Renderer(Protocol):
    def render(self, draft: EmailDraft, *, email_id: UUID, now: datetime) -> bytes: ...


async def queue_email(uow: UnitOfWork, renderer: Renderer, event_id: UUID, tenant_id: UUID, draft: EmailDraft) -> None:
    """Render ``draft`` and queue it; a second draft of one event to one address queues nothing.

    A recipient that is not one plain address (a list, a CR/LF, several @) is never rendered
    or sent: the email is stored as failed at once, with the reason, and EmailFailed is published.
    """
    now = datetime.now(UTC)
    subject = header_text(draft.subject)
    try:
        recipient = single_address(draft.recipient)
    except InvalidRecipient as exc:
        refused = Email.queue(
            tenant_id=tenant_id,
            source_event_id=event_id,
            recipient=header_text(draft.recipient, limit=MAX_ADDRESS_LENGTH),
            subject=subject,
            template=draft.template,
            message=b"",
            now=now,
        )
        refused.refuse(str(exc), now)
        if await uow.emails.add(refused):
            await uow.save(refused)  # the failed state is already stored; this publishes EmailFailed
        return
    message = renderer.render(draft, email_id=email_id_for(event_id, recipient), now=now)
    email = Email.queue(
        tenant_id=tenant_id,
        source_event_id=event_id,
        recipient=recipient,
        subject=subject,
        template=draft.template,
        message=message,
        now=now,
        sealed_links=dict(draft.sealed_links),
    )
    await uow.emails.add(email)


async def supplier_contact(uow: UnitOfWork, supplier_id: UUID, tenant_id: UUID) -> SupplierContact:
    supplier = await uow.directory.supplier(supplier_id, tenant_id=tenant_id)
    if supplier is None:
        raise RecipientNotKnownYet(f"supplier {supplier_id} is not in the read model yet")
    return supplier


async def portal_user(uow: UnitOfWork, user_id: UUID, role: str) -> PortalUser:
    user = await uow.directory.user(user_id)
    if user is None:
        raise RecipientNotKnownYet(f"{role} {user_id} is not in the read model yet")
    return user


async def buyer_name(uow: UnitOfWork, tenant_id: UUID, *, known: str | None = None) -> str:
    """The buyer organisation's name: ``known`` when the event carries it, else the read model's."""
    name = known or await uow.directory.organisation_name(tenant_id)
    if not name:
        raise BuyerNotKnownYet(f"buyer organisation {tenant_id} is not in the read model yet")
    return name
