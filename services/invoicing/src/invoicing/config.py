"""Settings of the invoicing service (prefix ``INVOICING_``)."""

from pydantic import Field
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
    # Creating an invoice on a purchase order not heard of yet waits for its event
    # (INVOICING_PURCHASE_ORDER_WAIT_S; 0: no wait) before answering 404: woken when the order is
    # stored, reading again every INVOICING_PURCHASE_ORDER_WAIT_POLL_S; at most
    # INVOICING_PURCHASE_ORDER_WAITERS requests of a process wait at once, one more answers 503
    # (invoicing.service.purchase_order_wait).
    purchase_order_wait_s: float = 3.0
    purchase_order_wait_poll_s: float = 0.25
    purchase_order_waiters: int = 32
    # An invoice still in matching this long after it was submitted (INVOICING_STALL_MATCHING_S)
    # counts as stalled: its verdict is lost or matching is stuck. Shown by /metrics
    # (portal_stalled_documents{kind="invoice_matching"}), /health/ready and `portal status`.
    stall_matching_s: float = Field(60.0, gt=0)
