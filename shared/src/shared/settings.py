"""Settings every service shares; each service subclasses ``ServiceSettings`` with its own prefix.

Names that the whole stack shares (``KAFKA_BOOTSTRAP_SERVERS``, ``PORTAL_JWT_PUBLIC_KEY_FILE``...)
are read without the service prefix; what differs per service (``ORDERS_DATABASE_URL``,
``ORDERS_HTTP_PORT``) carries it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import faults
from shared.auth import TokenVerifier
from shared.contracts.topics import TOPICS, Topic
from shared.networks import PRIVATE, Networks

DAY_S = 86_400.0
# Kafka deletes a log segment once its newest record is older than the topic's retention.ms, and
# starts a new segment after log.roll.ms, a week by default (the topics set no segment.ms of their
# own): a record stays readable for up to its topic's retention plus a week.
KAFKA_SEGMENT_ROLL_S = 7 * DAY_S


def _shared(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


class KafkaSecuritySettings(BaseSettings):
    """How a Kafka client of the portal proves who it is and protects the connection: TLS and
    SASL/SCRAM, the same for every producer, consumer and admin client (``shared.kafka.client_security``
    turns them into a client's options). A combination that cannot work is refused here, at start-up,
    rather than by the broker at the first connection."""

    # A refused value is not repeated in the error: a start-up log must not show a password (or
    # a database URL's). Every service's settings inherit this.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True)

    kafka_security_protocol: KafkaSecurityProtocol = Field(
        "PLAINTEXT", validation_alias=_shared("KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: KafkaSaslMechanism = Field("SCRAM-SHA-512", validation_alias=_shared("KAFKA_SASL_MECHANISM"))
    kafka_sasl_username: str | None = Field(None, validation_alias=_shared("KAFKA_SASL_USERNAME"))
    # A secret: its repr and the logs show "**********"; only the client's options reveal it.
    kafka_sasl_password: SecretStr | None = Field(None, validation_alias=_shared("KAFKA_SASL_PASSWORD"))
    # The CA that signed the brokers' certificates (PEM); unset, the system's CAs.
    kafka_ssl_ca_file: Path | None = Field(None, validation_alias=_shared("KAFKA_SSL_CA_FILE"))
    # A client certificate and its key (PEM) for brokers that authenticate clients by TLS (mTLS);
    # the key may be in the certificate's file.
    kafka_ssl_cert_file: Path | None = Field(None, validation_alias=_shared("KAFKA_SSL_CERT_FILE"))
    kafka_ssl_key_file: Path | None = Field(None, validation_alias=_shared("KAFKA_SSL_KEY_FILE"))

    @property
    def kafka_uses_sasl(self) -> bool:
        return self.kafka_security_protocol.startswith("SASL_")

    @property
    def kafka_uses_tls(self) -> bool:
        return self.kafka_security_protocol.endswith("SSL")

    @model_validator(mode="after")
    def _kafka_security_is_complete(self) -> KafkaSecuritySettings:
        protocol = self.kafka_security_protocol
        if self.kafka_uses_sasl:
            missing = [
                name
                for name, value in (
                    ("KAFKA_SASL_USERNAME", self.kafka_sasl_username),
                    ("KAFKA_SASL_PASSWORD", self.kafka_sasl_password and self.kafka_sasl_password.get_secret_value()),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs {' and '.join(missing)}")
        elif self.kafka_sasl_username or self.kafka_sasl_password:
            # Set but unused would connect without the credentials someone meant to use.
            raise ValueError(
                f"KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SECURITY_PROTOCOL={protocol} "
                "does not use SASL (SASL_SSL or SASL_PLAINTEXT)"
            )
        files = {
            "KAFKA_SSL_CA_FILE": self.kafka_ssl_ca_file,
            "KAFKA_SSL_CERT_FILE": self.kafka_ssl_cert_file,
            "KAFKA_SSL_KEY_FILE": self.kafka_ssl_key_file,
        }
        named = {name: path for name, path in files.items() if path is not None}
        if named and not self.kafka_uses_tls:
            raise ValueError(
                f"{', '.join(named)} set but KAFKA_SECURITY_PROTOCOL={protocol} does not use TLS (SSL or SASL_SSL)"
            )
        if self.kafka_ssl_key_file is not None and self.kafka_ssl_cert_file is None:
            raise ValueError("KAFKA_SSL_KEY_FILE needs KAFKA_SSL_CERT_FILE, the certificate of that key")
        if missing_files := [f"{name} {path}" for name, path in named.items() if not path.is_file()]:
            raise ValueError(f"no such file: {', '.join(missing_files)}")
        return self


class ServiceSettings(KafkaSecuritySettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    # Connections kept once opened: as many as the requests and consumers the service serves at
    # once (the bench's 32 clients keep about 20 of invoicing's busy). Beyond them, up to
    # ``database_pool_overflow`` more are opened for one use each and closed after it: a new
    # backend and session, every statement prepared again.
    database_pool_size: int = 20
    database_pool_overflow: int = 0
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
    # kept 0.8 of a core busy. The embedded stack gives them 500 ms: a changed supplier or setting
    # then reaches the other services up to half a second later there (per hop, see above).
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
    # Outbox rows sent this long ago are deleted (``shared.pruning``); rows not sent yet never are.
    # At least the republish window, whose rows a fresh broker gets again; it is also as far back
    # as ``portal outbox republish --since`` reaches. 14 days: the window and a week to notice that
    # a subscriber outside the portal needs more.
    outbox_retention_s: float = Field(14 * DAY_S, gt=0, validation_alias=_shared("OUTBOX_RETENTION_S"))
    # Inbox entries recorded this long ago are deleted; an event delivered again later would be
    # handled again. Longer than the broker can deliver an event again (the longest retention of a
    # topic, 30 days, plus Kafka's segment roll, 7) and than the outbox keeps what it can publish
    # again: 45 days.
    inbox_retention_s: float = Field(45 * DAY_S, gt=0, validation_alias=_shared("INBOX_RETENTION_S"))
    # How often a service prunes its outbox and inbox, and the most rows one statement (its own
    # short transaction) deletes.
    prune_interval_s: float = Field(3600.0, gt=0, validation_alias=_shared("PRUNE_INTERVAL_S"))
    prune_batch_size: int = Field(1000, ge=1, validation_alias=_shared("PRUNE_BATCH_SIZE"))

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

    @model_validator(mode="after")
    def _retention_keeps_redelivery_safe(self) -> ServiceSettings:
        check_retention(self.outbox_retention_s, self.inbox_retention_s, self.outbox_republish_window_s)
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


def redelivery_horizon_s(topics: dict[str, Topic] = TOPICS) -> float:
    """How long after its publication the broker may deliver an event again: the longest retention
    of a topic that is not compacted, plus Kafka's segment roll. A compacted topic keeps each key's
    latest event for good, so no inbox outlives it; its consumers keep read models that take a
    snapshot only when it is newer than theirs (docs/reliability.md)."""
    longest_days = max((topic.retention_days for topic in topics.values() if not topic.compacted), default=0)
    return longest_days * DAY_S + KAFKA_SEGMENT_ROLL_S


def check_retention(
    outbox_retention_s: float,
    inbox_retention_s: float,
    republish_window_s: float,
    topics: dict[str, Topic] = TOPICS,
) -> None:
    """Refuse retentions under which a redelivered event would be handled again, or the relay
    would have lost rows it must publish again."""
    if outbox_retention_s < republish_window_s:
        raise ValueError(
            f"OUTBOX_RETENTION_S ({_span(outbox_retention_s)}) must be at least OUTBOX_REPUBLISH_WINDOW_S"
            f" ({_span(republish_window_s)}): a fresh broker gets the window published again from the outbox"
        )
    horizon_s = redelivery_horizon_s(topics)
    if inbox_retention_s <= horizon_s:
        raise ValueError(
            f"INBOX_RETENTION_S ({_span(inbox_retention_s)}) must be longer than the broker may deliver an event"
            f" again ({_span(horizon_s)}: the longest retention of a topic plus Kafka's segment roll)"
        )
    if inbox_retention_s <= outbox_retention_s:
        raise ValueError(
            f"INBOX_RETENTION_S ({_span(inbox_retention_s)}) must be longer than OUTBOX_RETENTION_S"
            f" ({_span(outbox_retention_s)}): whatever an outbox still holds can be published again"
        )


def _span(seconds: float) -> str:
    return f"{seconds:.0f} s, {seconds / DAY_S:.4g} days"


def async_database_url(url: str) -> str:
    """Accept ``postgres://``/``postgresql://`` URLs and use the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def plain_database_url(url: str) -> str:
    """The libpq form of a database URL, as asyncpg's own ``connect`` takes it."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)
