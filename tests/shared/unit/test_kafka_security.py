"""Kafka TLS and SASL/SCRAM: the settings become the same security for every kind of client (the
relay's producer, the service's FastStream broker with the consumers and admin client it builds,
the topic provisioning, the operator's dead-letter commands); a combination that cannot work is a
settings error at start-up; the password never shows in the settings' repr, errors or logs."""

from __future__ import annotations

import ast
import asyncio
import datetime
import importlib
import json
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiokafka
import aiokafka.admin.client
import pytest
import structlog
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLScram256, SASLScram512
from pydantic import SecretStr, ValidationError

import portal_cli.dead_letters
import shared.kafka
from portal_cli import dead_letters, dlq_commands
from portal_dev.testing import service_keys
from shared.contracts.topics import all_topic_names
from shared.kafka import (
    PLAINTEXT,
    KafkaClientSecurity,
    client_security,
    ensure_topics,
    make_producer,
    producer_options,
)
from shared.logs import configure_logging
from shared.messaging import broker_options, make_broker
from shared.settings import KafkaSecuritySettings, ServiceSettings

PASSWORD = "s3cret-hunter2"


@pytest.fixture(autouse=True)
def no_kafka_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings here come from the test alone, not from the shell that runs it."""
    for name in (
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_CA_FILE",
        "KAFKA_SSL_CERT_FILE",
        "KAFKA_SSL_KEY_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, *, issuer: x509.Certificate | None = None, signer: Any = None
) -> x509.Certificate:
    """A certificate of ``key`` for ``subject``: self-signed (a CA), or signed by ``issuer``'s ``signer``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(signer or key, hashes.SHA256())
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A cluster CA and a client certificate it signed, as PEM files."""
    directory = tmp_path_factory.mktemp("kafka-pki")
    ca_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("portal-kafka cluster CA", ca_key)
    client = _certificate("portal-orders", client_key, issuer=ca, signer=ca_key)
    files = {"ca": directory / "ca.crt", "cert": directory / "user.crt", "key": directory / "user.key"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(client.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(
        client_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


def sasl_ssl(pki: dict[str, Path], **options: Any) -> ServiceSettings:
    return ServiceSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="portal-orders",
        kafka_sasl_password=PASSWORD,
        kafka_ssl_ca_file=pki["ca"],
        **options,
    )


# --- each combination gives the client options it should ----------------------------------------


def test_by_default_the_clients_connect_in_plain_text() -> None:
    security = client_security(ServiceSettings())

    assert security == PLAINTEXT
    assert security.client_options() == {"security_protocol": "PLAINTEXT"}
    assert security.broker_security() is None
    assert producer_options(ServiceSettings())["security_protocol"] == "PLAINTEXT"


def test_sasl_ssl_authenticates_with_scram_sha_512_over_tls_that_trusts_the_cluster_ca(pki: dict[str, Path]) -> None:
    security = client_security(sasl_ssl(pki))
    options = security.client_options()

    assert {k: v for k, v in options.items() if k != "ssl_context"} == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "portal-orders",
        "sasl_plain_password": PASSWORD,
    }
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert [dict(pair[0] for pair in c["subject"])["commonName"] for c in context.get_ca_certs()] == [
        "portal-kafka cluster CA"
    ]
    broker = security.broker_security()
    assert isinstance(broker, SASLScram512) and broker.use_ssl
    # FastStream hands its consumers, producer and admin client exactly what aiokafka's clients get.
    assert parse_security(broker) == options


def test_scram_sha_256_is_the_other_mechanism_and_sasl_plaintext_has_no_tls() -> None:
    settings = ServiceSettings(
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="portal-orders",
        kafka_sasl_password=PASSWORD,
    )
    security = client_security(settings)

    assert security.client_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "portal-orders",
        "sasl_plain_password": PASSWORD,
    }
    broker = security.broker_security()
    assert isinstance(broker, SASLScram256) and not broker.use_ssl
    assert parse_security(broker) == {**security.client_options(), "ssl_context": None}


def test_ssl_with_a_client_certificate_is_mutual_tls_without_sasl(
    pki: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ServiceSettings(
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=pki["ca"],
        kafka_ssl_cert_file=pki["cert"],
        kafka_ssl_key_file=pki["key"],
    )
    contexts: list[dict[str, Any]] = []
    real = shared.kafka.create_ssl_context
    monkeypatch.setattr(shared.kafka, "create_ssl_context", lambda **kw: contexts.append(kw) or real(**kw))

    security = client_security(settings)

    assert contexts == [{"cafile": pki["ca"], "certfile": pki["cert"], "keyfile": pki["key"]}]
    options = security.client_options()
    assert options["security_protocol"] == "SSL" and isinstance(options["ssl_context"], ssl.SSLContext)
    assert not {"sasl_mechanism", "sasl_plain_username", "sasl_plain_password"} & set(options)
    broker = security.broker_security()
    assert type(broker) is BaseSecurity and broker.use_ssl
    assert parse_security(broker) == options


def test_ssl_without_a_ca_file_trusts_the_systems_certificate_authorities() -> None:
    options = client_security(ServiceSettings(kafka_security_protocol="SSL")).client_options()

    assert options["security_protocol"] == "SSL"
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED


# --- every kind of client gets it ---------------------------------------------------------------


class _Built(list[tuple[str, dict[str, Any]]]):
    """The Kafka clients constructed while a factory ran: (kind, keyword arguments)."""


def _fake(kind: str, built: _Built) -> type:
    class FakeClient:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append((kind, kwargs))

        async def start(self) -> None: ...

        async def stop(self) -> None: ...

        async def close(self) -> None: ...

        async def list_topics(self) -> list[str]:
            return all_topic_names()

        async def topics(self) -> set[str]:
            return set()

    return FakeClient


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> _Built:
    """Every aiokafka client constructor, wherever the portal or FastStream looks it up, recording
    instead of connecting."""
    clients = _Built()
    for module, name, kind in (
        (aiokafka, "AIOKafkaProducer", "producer"),
        (aiokafka, "AIOKafkaConsumer", "consumer"),
        (aiokafka.admin.client, "AIOKafkaAdminClient", "admin"),
        (shared.kafka, "AIOKafkaProducer", "producer"),
        (shared.kafka, "AIOKafkaAdminClient", "admin"),
        (portal_cli.dead_letters, "AIOKafkaProducer", "producer"),
        (portal_cli.dead_letters, "AIOKafkaConsumer", "consumer"),
    ):
        monkeypatch.setattr(module, name, _fake(kind, clients))
    return clients


async def _relay_producer(settings: ServiceSettings) -> None:
    make_producer(settings)


async def _service_broker(settings: ServiceSettings) -> None:
    """The broker a service runs (its consumers are built by the builder it set up on connect)."""
    broker = make_broker(settings)
    await broker.connect()
    broker.config.broker_config.builder(group_id="orders.suppliers")


async def _topic_provisioning(settings: ServiceSettings) -> None:
    await ensure_topics(settings.kafka_bootstrap_servers, security=client_security(settings), timeout_s=1)


async def _dead_letter_commands(settings: ServiceSettings) -> None:
    await dead_letters.read_dead_letter_topics("kafka:9093", ["orders.rfp.v1.dlq"], security=client_security(settings))
    await dead_letters.replay("kafka:9093", [], security=client_security(settings))


FACTORIES: dict[str, tuple[Callable[[ServiceSettings], Awaitable[None]], list[str]]] = {
    "relay-producer": (_relay_producer, ["producer"]),
    "service-broker": (_service_broker, ["producer", "admin", "consumer"]),
    "topic-provisioning": (_topic_provisioning, ["admin"]),
    "dead-letter-commands": (_dead_letter_commands, ["consumer", "producer"]),
}


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_kind_of_client_is_built_with_the_shared_security(
    factory: str, built: _Built, pki: dict[str, Path]
) -> None:
    run, kinds = FACTORIES[factory]

    asyncio.run(run(sasl_ssl(pki, kafka_sasl_mechanism="SCRAM-SHA-256")))

    assert [kind for kind, _ in built] == kinds
    for kind, kwargs in built:
        assert kwargs["security_protocol"] == "SASL_SSL", kind
        assert kwargs["sasl_mechanism"] == "SCRAM-SHA-256", kind
        assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("portal-orders", PASSWORD), kind
        assert isinstance(kwargs["ssl_context"], ssl.SSLContext), kind


@pytest.mark.parametrize("service", ["suppliers", "orders", "invoicing", "matching", "notifier", "gateway"])
def test_every_service_runtime_builds_its_broker_and_producer_with_its_security(
    service: str, tmp_path: Path, pki: dict[str, Path]
) -> None:
    private, public = service_keys(tmp_path)
    settings = importlib.import_module(f"{service}.config").Settings(
        jwt_public_key_file=public,
        jwt_private_key_file=private,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username=f"portal-{service}",
        kafka_sasl_password=PASSWORD,
        kafka_ssl_ca_file=pki["ca"],
    )
    runtime = importlib.import_module(f"{service}.bootstrap").bootstrap(settings)

    assert runtime.broker._connection_kwargs["sasl_plain_username"] == f"portal-{service}"
    assert runtime.broker._connection_kwargs["security_protocol"] == "SASL_SSL"
    assert producer_options(runtime.settings)["sasl_plain_username"] == f"portal-{service}"
    assert isinstance(broker_options(runtime.settings)["security"], SASLScram512)


def test_the_dead_letter_commands_take_the_security_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, pki: dict[str, Path]
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "ops")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", PASSWORD)
    monkeypatch.setenv("KAFKA_SSL_CA_FILE", str(pki["ca"]))

    options = dlq_commands._security().client_options()

    assert (options["security_protocol"], options["sasl_plain_username"]) == ("SASL_SSL", "ops")


# --- misconfigurations are refused at start-up --------------------------------------------------


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        (
            {"kafka_security_protocol": "SASL_SSL"},
            "KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
        ),
        (
            {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "portal-orders"},
            "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT needs KAFKA_SASL_PASSWORD",
        ),
        (
            {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u", "kafka_sasl_password": ""},
            "needs KAFKA_SASL_PASSWORD",
        ),
        (
            {"kafka_sasl_username": "portal-orders", "kafka_sasl_password": PASSWORD},
            "KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL",
        ),
        ({"kafka_security_protocol": "SASL"}, "kafka_security_protocol"),
        ({"kafka_sasl_mechanism": "PLAIN"}, "kafka_sasl_mechanism"),
        ({"kafka_ssl_ca_file": "ca"}, "KAFKA_SSL_CA_FILE set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use TLS"),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_key_file": "key"},
            "KAFKA_SSL_KEY_FILE needs KAFKA_SSL_CERT_FILE",
        ),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_ca_file": "/nonexistent/ca.crt"},
            "no such file: KAFKA_SSL_CA_FILE /nonexistent/ca.crt",
        ),
    ],
    ids=[
        "sasl-without-credentials",
        "sasl-without-password",
        "sasl-empty-password",
        "credentials-without-sasl",
        "unknown-protocol",
        "plain-mechanism",
        "ca-without-tls",
        "key-without-certificate",
        "missing-ca-file",
    ],
)
def test_a_combination_that_cannot_work_is_a_settings_error(options: dict[str, Any], refusal: str) -> None:
    with pytest.raises(ValidationError, match=refusal.replace("/", ".")) as refused:
        ServiceSettings(**options)

    assert PASSWORD not in str(refused.value)


def test_a_service_refuses_to_start_with_sasl_and_no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "portal-orders")
    settings_type = importlib.import_module("orders.config").Settings

    with pytest.raises(ValidationError, match="KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_PASSWORD"):
        settings_type()


# --- the password stays secret ------------------------------------------------------------------


def test_the_password_never_shows_in_the_settings_their_errors_or_the_logs(
    pki: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = sasl_ssl(pki)
    security = client_security(settings)

    assert settings.kafka_sasl_password is not None
    assert settings.kafka_sasl_password.get_secret_value() == PASSWORD
    shown = [repr(settings), str(settings), settings.model_dump_json(), json.dumps(settings.model_dump(), default=str)]
    shown += [repr(security), str(security), repr(security.broker_security())]
    assert not [text for text in shown if PASSWORD in text]
    # A refused combination does not repeat the values it was given.
    with pytest.raises(ValidationError) as refused:
        KafkaSecuritySettings(kafka_sasl_username="portal-orders", kafka_sasl_password=PASSWORD)
    assert PASSWORD not in str(refused.value) and PASSWORD not in repr(refused.value)

    configure_logging("orders", fmt="json")
    structlog.get_logger("test").info("starting", settings=settings, security=security, kafka=security.client_options())
    logged = capsys.readouterr().err
    assert "portal-orders" in logged and "**********" in logged
    assert PASSWORD not in logged


def test_the_client_security_keeps_the_password_out_of_its_repr() -> None:
    security = KafkaClientSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", "u", SecretStr(PASSWORD))

    assert PASSWORD not in repr(security)
    assert security.client_options()["sasl_plain_password"] == PASSWORD


# --- no client of the product is built without it -----------------------------------------------

ROOT = Path(__file__).resolve().parents[3]
PRODUCT_SOURCES = [
    ROOT / "shared" / "src",
    *sorted((ROOT / "services").glob("*/src")),
    ROOT / "devstack" / "src",
    ROOT / "cli" / "src",
]
CLIENTS = {"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient", "KafkaBroker", "KafkaRouter"}
# What carries the shared security into a constructor: ``**security.client_options()`` or the
# option sets built on it (``producer_options``, ``broker_options``).
SECURITY_OPTIONS = {"client_options", "producer_options", "broker_options"}
# Clients that may stay plain, and why.
PLAIN = {
    # Builds the AsyncAPI document from the subscribers and publishers; it never connects.
    ("shared/src/shared/asyncapi.py", "specification_broker"),
    # Test support: the embedded broker the test stacks start.
    ("devstack/src/portal_dev/testing.py", "delete_topics"),
    ("devstack/src/portal_dev/testing.py", "read_topic"),
}


def _called(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def kafka_clients_built_without_security(sources: list[Path], root: Path = ROOT) -> list[str]:
    """``file:function:line Client`` for every constructor call of a Kafka client that is given
    neither the shared security options nor a place in ``PLAIN``."""
    found = set()
    for source in sources:
        for path in sorted(source.rglob("*.py")):
            where = str(path.relative_to(root))
            for function in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or (where, function.name) in PLAIN:
                    continue
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call) or _called(call) not in CLIENTS:
                        continue
                    spread = {
                        _called(k.value) for k in call.keywords if k.arg is None and isinstance(k.value, ast.Call)
                    }
                    if not spread & SECURITY_OPTIONS:
                        found.add(f"{where}:{function.name}:{call.lineno} {_called(call)}")
    return sorted(found)


def test_no_kafka_client_of_the_product_is_built_without_the_shared_security() -> None:
    assert all(source.is_dir() for source in PRODUCT_SOURCES)

    assert kafka_clients_built_without_security(PRODUCT_SOURCES) == []


def test_the_scan_finds_a_client_built_without_the_shared_security(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "relay_example.py").write_text(
        "from aiokafka import AIOKafkaProducer\n"
        "def plain(servers):\n"
        "    return AIOKafkaProducer(bootstrap_servers=servers, acks='all')\n"
        "def secured(servers, security):\n"
        "    return AIOKafkaProducer(bootstrap_servers=servers, **security.client_options())\n"
    )

    found = kafka_clients_built_without_security([tmp_path / "src"], root=tmp_path)

    assert found == ["src/relay_example.py:plain:3 AIOKafkaProducer"]
