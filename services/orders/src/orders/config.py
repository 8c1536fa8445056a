"""Settings of the orders service (prefix ``ORDERS_``)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from shared.uploads import DEFAULT_MAX_UPLOAD_BYTES


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore", populate_by_name=True)

    service_name: str = "orders"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_orders"
    http_port: int = 8102
    # The largest file attached to a purchase order (ORDERS_MAX_UPLOAD_BYTES); larger ones are 413.
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # How often published RFPs past their due date are closed (RfpClosed). Requests check the due
    # date themselves, so this only decides how soon the event is published.
    rfp_close_interval_s: float = 2.0
