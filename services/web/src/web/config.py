"""Settings of the web portal (prefix ``WEB_``; the stack-wide ``PORTAL_*`` names)."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", populate_by_name=True)

    service_name: str = "web"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5439/portal_web"
    database_pool_size: int = 5
    http_port: int = 8106
    # Where the pages reach the API: the gateway, as every client does.
    gateway_url: str = "http://127.0.0.1:8000"
    gateway_timeout_s: float = 30.0
    # The address people open; emails and redirects use the paths below it.
    public_url: str = Field("http://127.0.0.1:8000", validation_alias=AliasChoices("PORTAL_PUBLIC_URL", "public_url"))
    # A session ends when its token expires, after this long without a request, or at sign-out.
    session_idle_timeout_s: int = 1800
    # ``Secure`` on the cookies: None decides per request (HTTPS as the gateway saw it).
    cookie_secure: bool | None = None
    # Largest upload the pages accept before asking the API (the API has its own cap).
    max_upload_bytes: int = 10 * 1024 * 1024
