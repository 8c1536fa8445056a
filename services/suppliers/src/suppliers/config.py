"""Settings of the suppliers service (prefix ``SUPPLIERS_``)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPLIERS_", extra="ignore", populate_by_name=True)

    service_name: str = "suppliers"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_suppliers"
    http_port: int = 8101
