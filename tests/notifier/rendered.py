"""Rendering drafts as the service does, for the template tests: the message, its plain text and HTML."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default
from uuid import UUID, uuid4

from notifier.adapters.rendering import EmailRenderer
from notifier.domain.messages import EmailDraft
from notifier.domain.read_models import PortalUser, SupplierContact
from tests.notifier import samples

TENANT = uuid4()
SUPPLIER_ID = uuid4()
SENDER = "Supplier Portal <no-reply@supplier-portal.local>"
PORTAL_URL = "https://portal.example.com"
SUPPLIER = SupplierContact(
    supplier_id=SUPPLIER_ID, tenant_id=TENANT, name="Acme Tools", email="sales@acme.example", contacts=(), revision=1
)
APPROVER = PortalUser(
    user_id=uuid4(),
    tenant_id=TENANT,
    email="irene@buyer.example",
    name="Irene Initiator",
    role="buyer_user",
    active=True,
    updated_at=samples.NOW,
)


def render(draft: EmailDraft, email_id: UUID | None = None) -> tuple[EmailMessage, str, str]:
    raw = EmailRenderer(SENDER, PORTAL_URL).render(draft, email_id=email_id or uuid4(), now=samples.NOW)
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    # SMTP wire format ends lines with CRLF; the tests read them as plain newlines.
    return message, plain.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")
