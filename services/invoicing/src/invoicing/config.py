"""Settings of the invoicing service (prefix ``INVOICING_``)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INVOICING_", extra="ignore", populate_by_name=True)

    service_name: str = "invoicing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_invoicing"
    http_port: int = 8103
    # Cap on one attached file (INVOICING_MAX_UPLOAD_BYTES); larger uploads answer 413.
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
