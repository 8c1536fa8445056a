"""Settings of the matching service (prefix ``MATCHING_``)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", populate_by_name=True)

    service_name: str = "matching"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_matching"
    http_port: int = 8104
