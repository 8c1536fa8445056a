"""Settings of the orders service (prefix ``ORDERS_``)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore", populate_by_name=True)

    service_name: str = "orders"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_orders"
    http_port: int = 8102
