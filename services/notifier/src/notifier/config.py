"""Settings of the notifier service (prefix ``NOTIFIER_``; the stack-wide ``SMTP_*`` and
``PORTAL_PUBLIC_URL`` are read without it)."""

from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from shared.sealed_links import PRIVATE_KEY_NAME, LinkOpener
from shared.settings import ServiceSettings


def _shared(name: str) -> AliasChoices:
    # The SMTP server and the portal's address are the stack's, not the service's: read without
    # the NOTIFIER_ prefix.
    return AliasChoices(name, name.lower())


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore", populate_by_name=True)

    service_name: str = "notifier"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_notifier"
    http_port: int = 8105

    smtp_host: str = Field("127.0.0.1", validation_alias=_shared("SMTP_HOST"))
    smtp_port: int = Field(1025, validation_alias=_shared("SMTP_PORT"))
    smtp_username: str | None = Field(None, validation_alias=_shared("SMTP_USERNAME"))
    smtp_password: SecretStr | None = Field(None, validation_alias=_shared("SMTP_PASSWORD"))
    smtp_starttls: bool = Field(False, validation_alias=_shared("SMTP_STARTTLS"))
    smtp_from: str = Field("Supplier Portal <no-reply@supplier-portal.local>", validation_alias=_shared("SMTP_FROM"))
    smtp_timeout_s: float = 15.0
    # One SMTP session carries consecutive emails: it is replaced after this many messages
    # (servers cap them per connection) and closed after this long unused (servers drop idle
    # clients, commonly after 60 s or more). The EHLO name defaults to the host's FQDN.
    smtp_max_messages_per_connection: int = Field(100, ge=1)
    smtp_idle_timeout_s: float = Field(20.0, gt=0)
    smtp_local_hostname: str | None = Field(None, validation_alias=_shared("SMTP_LOCAL_HOSTNAME"))

    # Where people open the web portal (the gateway reads the same name): the base of the link to
    # the document's page in every email about one.
    portal_public_url: str = Field("http://127.0.0.1:8000", validation_alias=_shared("PORTAL_PUBLIC_URL"))

    # The private key that opens the single-use links of invitations, password resets and sign-in
    # address changes (shared.sealed_links), this service's alone; unset: link-private.pem beside
    # the JWT public key.
    link_private_key_file: Path | None = None

    @cached_property
    def link_opener(self) -> LinkOpener:
        directory = self.jwt_public_key_file.parent if self.jwt_public_key_file else Path("var/keys")
        return LinkOpener.from_file(self.link_private_key_file or directory / PRIVATE_KEY_NAME)

    # Delivery retries: the delay doubles from the first to the cap; the email fails for good
    # after max attempts or once it is older than max age, whichever comes first.
    email_retry_first_delay_s: float = 0.5
    email_retry_max_delay_s: float = 60.0
    email_max_attempts: int = 2000
    email_max_age_s: float = 86_400.0
    # The sender is woken by NOTIFY on insert; polling is the fallback when a wake-up is missed.
    sender_poll_interval_s: float = 1.0
    sender_batch_size: int = 20
    # An email still unsent this long after it was queued (NOTIFIER_STALL_EMAIL_S) counts as stalled:
    # the SMTP server refuses or is away, or the sender is stuck. Shown by /metrics
    # (portal_stalled_documents{kind="email_delivery"}), /health/ready and `portal status`.
    stall_email_s: float = Field(300.0, gt=0)

    # Reminders (docs/reminders.md): how often the scheduler looks for the reminders due today
    # (UTC), and how many days after an invoice became overdue its notice may still go out when
    # the notifier was away that day (older ones never do: reading old history sends nothing stale).
    reminder_interval_s: float = Field(60.0, gt=0)
    overdue_notice_catch_up_days: int = Field(3, ge=1)

    @field_validator("portal_public_url")
    @classmethod
    def _without_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")
