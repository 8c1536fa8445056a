"""Settings every service shares; each service subclasses ``ServiceSettings`` with its own prefix.

Names that the whole stack shares (``KAFKA_BOOTSTRAP_SERVERS``, ``PORTAL_JWT_PUBLIC_KEY_FILE``...)
are read without the service prefix; what differs per service (``ORDERS_DATABASE_URL``,
``ORDERS_HTTP_PORT``) carries it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import faults
from shared.auth import TokenVerifier
from shared.networks import PRIVATE, Networks


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    database_pool_size: int = 10
    http_host: str = "127.0.0.1"
    http_port: int = 8001

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=_shared("KAFKA_BOOTSTRAP_SERVERS"))
    # Put before every topic and consumer group name on the cluster (``staging.`` makes
    # ``staging.invoices.v1`` and ``staging.invoicing``), so several portals share one cluster
    # apart; the contracts and the outbox keep the names the catalogue gives. Empty: the names as
    # they are.
    kafka_topic_prefix: str = Field(
        "", pattern=r"^[A-Za-z0-9._-]{0,100}$", validation_alias=_shared("KAFKA_TOPIC_PREFIX")
    )
    # Apache Kafka supports idempotent producers; the embedded broker answers InitProducerId
    # with an error, so the embedded stack turns this off. The inbox absorbs duplicates anyway.
    kafka_enable_idempotence: bool = Field(True, validation_alias=_shared("KAFKA_ENABLE_IDEMPOTENCE"))
    # How long a fetch waits for data. The embedded broker is slow to notice data that arrives
    # during the wait (measured per hop: 20 ms → p50 4 ms, max 13 ms; 100 ms → p50 11 ms, max
    # 48 ms; 500 ms → p50 136 ms), so the embedded stack sets it low; Apache Kafka answers a
    # fetch as soon as data is there, and 500 ms keeps idle consumers quiet.
    kafka_fetch_max_wait_ms: int = Field(500, validation_alias=_shared("KAFKA_FETCH_MAX_WAIT_MS"))
    # The same for the topics outside the invoice pipeline (suppliers, users, organisations,
    # invitations, RFPs; ``Topic.pipeline``); unset, ``kafka_fetch_max_wait_ms``. An idle consumer
    # fetches again as soon as its wait ends: with these eleven at 20 ms, the idle embedded stack
    # kept 0.8 of a core busy. The embedded stack gives them 100 ms: a changed supplier or setting
    # then reaches the other services a little later there (per hop, see above).
    kafka_quiet_fetch_max_wait_ms: int | None = Field(None, validation_alias=_shared("KAFKA_QUIET_FETCH_MAX_WAIT_MS"))
    # Tansu completes a group join only after about half the session timeout; Apache Kafka
    # refuses sessions under its group.min.session.timeout.ms (6 s by default).
    kafka_session_timeout_ms: int = Field(10_000, validation_alias=_shared("KAFKA_SESSION_TIMEOUT_MS"))
    kafka_linger_ms: int = Field(0, validation_alias=_shared("KAFKA_LINGER_MS"))
    # A handler slower than this loses its partitions to a rebalance; its offset commit then
    # fails and the event comes again (a no-op, thanks to the inbox).
    kafka_max_poll_interval_ms: int = Field(300_000, validation_alias=_shared("KAFKA_MAX_POLL_INTERVAL_MS"))
    consumer_max_attempts: int = Field(5, validation_alias=_shared("CONSUMER_MAX_ATTEMPTS"))
    consumer_retry_backoff_s: float = Field(0.5, validation_alias=_shared("CONSUMER_RETRY_BACKOFF_S"))
    # A consumer handles the events already fetched when it takes one (up to this many) in one
    # database transaction and one offset commit; 1 turns that off. It never waits to fill a batch.
    consumer_batch_max_records: int = Field(100, ge=1, validation_alias=_shared("CONSUMER_BATCH_MAX_RECORDS"))
    consumer_wait_for_read_model_s: float = Field(120.0, validation_alias=_shared("CONSUMER_WAIT_FOR_READ_MODEL_S"))
    outbox_poll_interval_s: float = Field(1.0, validation_alias=_shared("OUTBOX_POLL_INTERVAL_S"))
    outbox_batch_size: int = Field(200, validation_alias=_shared("OUTBOX_BATCH_SIZE"))
    # A broker that answers with another cluster id than the one the relay last published to is
    # a fresh one (the embedded broker restarted empty): the relay publishes again the rows it
    # sent this long ago or less. 7 days: Kafka's default retention.
    outbox_republish_window_s: float = Field(7 * 86_400, gt=0, validation_alias=_shared("OUTBOX_REPUBLISH_WINDOW_S"))
    # How often the publishing relay asks the broker its cluster id, besides when it starts
    # publishing and after each failure: one small metadata request, never one per batch.
    outbox_broker_check_interval_s: float = Field(2.0, gt=0, validation_alias=_shared("OUTBOX_BROKER_CHECK_INTERVAL_S"))

    jwt_public_key_file: Path | None = Field(None, validation_alias=_shared("PORTAL_JWT_PUBLIC_KEY_FILE"))
    jwt_public_key: str | None = Field(None, validation_alias=_shared("PORTAL_JWT_PUBLIC_KEY"))
    jwt_issuer: str = Field("supplier-portal", validation_alias=_shared("PORTAL_JWT_ISSUER"))
    # During a key rotation: the public keys the gateway signed with before, comma-separated
    # files; tokens they signed are accepted until these are removed.
    jwt_previous_public_key_files: str = Field("", validation_alias=_shared("PORTAL_JWT_PREVIOUS_PUBLIC_KEY_FILES"))

    # "production" unless set; fault points (shared.faults) are refused unless this is
    # "development" or "test", so a production process cannot be armed.
    environment: str = Field("production", validation_alias=_shared("PORTAL_ENVIRONMENT"))
    fault_points: str = Field("", validation_alias=_shared("PORTAL_FAULT_POINTS"))

    log_format: Literal["json", "console"] = Field("json", validation_alias=_shared("PORTAL_LOG_FORMAT"))
    log_level: str = Field("INFO", validation_alias=_shared("PORTAL_LOG_LEVEL"))
    # Tracing (shared.tracing) is on when set: spans exported over OTLP/HTTP to this base URL.
    otel_exporter_otlp_endpoint: str | None = Field(None, validation_alias=_shared("OTEL_EXPORTER_OTLP_ENDPOINT"))

    # Who reads /metrics and the readiness in detail (shared.internal_access): callers from these
    # networks (addresses and CIDRs) that connected straight, not through a proxy.
    internal_networks: str = Field(PRIVATE, validation_alias=_shared("PORTAL_INTERNAL_NETWORKS"))

    @field_validator("internal_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        Networks.parse(value)
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        return async_database_url(url)

    @model_validator(mode="after")
    def _no_fault_points_in_production(self) -> ServiceSettings:
        faults.check(self.fault_points, self.environment)
        return self

    def on_cluster(self, name: str) -> str:
        """The name a topic or consumer group of the catalogue has on the cluster."""
        return self.kafka_topic_prefix + name

    def public_key_pem(self) -> str:
        if self.jwt_public_key:
            return self.jwt_public_key
        if self.jwt_public_key_file and self.jwt_public_key_file.exists():
            return self.jwt_public_key_file.read_text()
        raise RuntimeError("no JWT public key: set PORTAL_JWT_PUBLIC_KEY or PORTAL_JWT_PUBLIC_KEY_FILE")

    def previous_public_key_pems(self) -> list[str]:
        """The rotated-out public keys; a file that is named but missing is a configuration error."""
        files = [Path(name.strip()) for name in self.jwt_previous_public_key_files.split(",") if name.strip()]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise RuntimeError(f"PORTAL_JWT_PREVIOUS_PUBLIC_KEY_FILES names missing files: {', '.join(missing)}")
        return [f.read_text() for f in files]

    def token_verifier(self) -> TokenVerifier:
        """The verifier of the gateway's tokens: the current public key and any previous ones."""
        return TokenVerifier(
            self.public_key_pem(), previous_public_key_pems=self.previous_public_key_pems(), issuer=self.jwt_issuer
        )


def async_database_url(url: str) -> str:
    """Accept ``postgres://``/``postgresql://`` URLs and use the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def plain_database_url(url: str) -> str:
    """The libpq form of a database URL, as asyncpg's own ``connect`` takes it."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)
