"""docker-compose.yml follows the Compose specification and gives every service its own database,
its topics, its migration job and its health check (checked offline: no Docker engine needed)."""

from __future__ import annotations

import copy
import importlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from shared.contracts import TOPICS, dlq_topic
from shared.kafka import topic_specs

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
INIT_SQL = ROOT / "deploy" / "compose" / "postgres-init.sql"
SCHEMA_FILE = Path(__file__).with_name("compose-spec.json")
SERVICES = ("suppliers", "orders", "invoicing", "matching", "notifier", "gateway", "web")
# The web portal neither consumes nor publishes events (it calls the gateway's API): it has no
# topics to wait for. Every other check applies to it as to the others.
WITHOUT_KAFKA = {"web"}
# What people reach from the host: the gateway (the API and, through it, the web portal's pages)
# and Mailpit's UI in development; no service is published beside the gateway.
PUBLISHED = {"gateway", "mailpit"}


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


def load_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def schema_errors(compose: dict[str, Any]) -> list[str]:
    """Every violation of the Compose specification, each prefixed with the path of the bad value."""
    validator = jsonschema.Draft7Validator(_schema())
    errors = []
    for error in validator.iter_errors(compose):
        # For "one of" schemas, the deepest error of the branches names the bad value itself.
        while error.context:
            error = max(error.context, key=lambda e: len(e.absolute_path))
        errors.append(f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}")
    return sorted(errors)


def database_url(service: dict[str, Any], name: str) -> str:
    return str(service.get("environment", {}).get(f"{name.upper()}_DATABASE_URL", ""))


def init_sql_grants() -> tuple[set[str], dict[str, str], dict[str, set[str]], set[str]]:
    """(roles, database → owner, database → roles granted CONNECT, databases revoked from PUBLIC)."""
    sql = INIT_SQL.read_text()
    array = re.search(r"FOREACH\s+\w+\s+IN\s+ARRAY\s+ARRAY\[([^\]]*)\]", sql)
    roles = set(re.findall(r"'(\w+)'", array.group(1))) if array else set()
    roles |= set(re.findall(r"CREATE ROLE (\w+)", sql))
    owners = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+)", sql))
    grants: dict[str, set[str]] = {}
    for databases, role in re.findall(r"GRANT CONNECT ON DATABASE ([\w, ]+?) TO (\w+)", sql):
        for db in databases.split(","):
            grants.setdefault(db.strip(), set()).add(role)
    revoked: set[str] = set()
    for databases in re.findall(r"REVOKE CONNECT ON DATABASE ([\w, ]+?) FROM PUBLIC", sql):
        revoked |= {db.strip() for db in databases.split(",")}
    return roles, owners, grants, revoked


def structure_problems(compose: dict[str, Any]) -> list[str]:
    """What the deployment promises and the file does not give, one line per problem."""
    problems: list[str] = []
    services: dict[str, Any] = compose.get("services", {})
    roles, owners, grants, revoked = init_sql_grants()

    kafka = services.get("kafka", {})
    if not str(kafka.get("image", "")).startswith("apache/kafka:"):
        problems.append("kafka: not the official apache/kafka image")
    process_roles = str(kafka.get("environment", {}).get("KAFKA_PROCESS_ROLES", ""))
    if "controller" not in process_roles or "KAFKA_ZOOKEEPER_CONNECT" in kafka.get("environment", {}):
        problems.append("kafka: not in KRaft mode (KAFKA_PROCESS_ROLES without controller)")
    if not str(services.get("mailpit", {}).get("image", "")).startswith("axllent/mailpit"):
        problems.append("mailpit: missing (image axllent/mailpit)")
    for infra in ("kafka", "postgres", "mailpit"):
        if "healthcheck" not in services.get(infra, {}):
            problems.append(f"{infra}: no healthcheck")

    topics_job = services.get("topics")
    if topics_job is None:
        problems.append("topics: no topic-provisioning job")
    else:
        if topics_job.get("command") != ["python", "-m", "shared.kafka"]:
            problems.append("topics: does not run the topic provisioning (python -m shared.kafka)")
        if topics_job.get("restart", "no") != "no":
            problems.append("topics: not a one-shot job (restart must be 'no')")
        if "kafka" not in topics_job.get("depends_on", {}):
            problems.append("topics: does not wait for kafka")

    users: dict[str, str] = {}
    for name in SERVICES:
        service = services.get(name)
        if service is None:
            problems.append(f"{name}: no container")
            continue
        if "healthcheck" not in service or service["healthcheck"].get("disable"):
            problems.append(f"{name}: no healthcheck")
        depends = service.get("depends_on", {})
        if not isinstance(depends, dict):
            problems.append(f"{name}: depends_on must name the conditions")
            depends = {}
        migrate = services.get(f"migrate-{name}")
        if migrate is None:
            problems.append(f"{name}: no migration job migrate-{name}")
        elif migrate.get("command") != ["python", "-m", f"{name}.migrate"]:
            problems.append(f"migrate-{name}: does not run {name}.migrate")
        if depends.get(f"migrate-{name}", {}).get("condition") != "service_completed_successfully":
            problems.append(f"{name}: does not wait for migrate-{name} to complete successfully")
        if name not in WITHOUT_KAFKA and depends.get("topics", {}).get("condition") != "service_completed_successfully":
            problems.append(f"{name}: does not wait for the topics to be provisioned")

        url = urlsplit(database_url(service, name))
        database, user = url.path.lstrip("/"), url.username or ""
        if not database:
            problems.append(f"{name}: no {name.upper()}_DATABASE_URL")
            continue
        if migrate is not None and database_url(migrate, name) != database_url(service, name):
            problems.append(f"migrate-{name}: migrates another database than {name} uses")
        if user in users.values():
            problems.append(f"{name}: shares the role {user!r} with another service")
        users[name] = user
        if user not in roles:
            problems.append(f"{name}: role {user!r} is not created in {INIT_SQL.name}")
        if owners.get(database) != user:
            problems.append(f"{name}: database {database!r} is not created with owner {user!r}")
        if database not in revoked:
            problems.append(f"{name}: database {database!r} is open to PUBLIC")
        if grants.get(database, set()) != {user}:
            problems.append(f"{name}: CONNECT on {database!r} granted to {sorted(grants.get(database, set()))}")

    gateway_ports = [str(p) for p in services.get("gateway", {}).get("ports", [])]
    if not any(p.split(":")[-2:] == ["8000", "8000"] for p in gateway_ports):
        problems.append("gateway: not published on 8000")
    for name, service in sorted(services.items()):
        if name not in PUBLISHED and (service.get("ports") or service.get("network_mode") == "host"):
            problems.append(f"{name}: published to the host (only the gateway is)")
    return problems


def web_wiring_problems(compose: dict[str, Any]) -> list[str]:
    """The gateway forwards the pages to the web container, and the web portal calls the gateway."""
    services: dict[str, Any] = compose.get("services", {})
    problems = []
    web_port = int(importlib.import_module("web.config").Settings.model_fields["http_port"].default)
    for name in ("gateway", "migrate-gateway"):
        url = str(services.get(name, {}).get("environment", {}).get("GATEWAY_WEB_URL", ""))
        if url != f"http://web:{web_port}":
            problems.append(f"{name}: GATEWAY_WEB_URL is {url!r}, not http://web:{web_port}, the web container")
    web_env = services.get("web", {}).get("environment", {})
    if web_env.get("WEB_GATEWAY_URL") != "http://gateway:8000":
        problems.append("web: WEB_GATEWAY_URL is not http://gateway:8000")
    public_url = services.get("gateway", {}).get("environment", {}).get("PORTAL_PUBLIC_URL")
    for name in ("web", "notifier"):
        if services.get(name, {}).get("environment", {}).get("PORTAL_PUBLIC_URL") != public_url:
            problems.append(f"{name}: PORTAL_PUBLIC_URL is not the gateway's {public_url!r}")
    return problems


def test_docker_compose_is_valid_against_the_compose_specification() -> None:
    assert schema_errors(load_compose()) == []


def test_a_schema_violation_is_reported_with_the_path_of_the_bad_value() -> None:
    compose = load_compose()
    compose["services"]["orders"]["depends_on"]["topics"]["condition"] = "whenever"
    compose["services"]["gateway"]["healthcheck"]["retrys"] = 3

    errors = schema_errors(compose)

    assert len(errors) == 2
    assert errors[0].startswith("services/gateway/healthcheck: 'retrys' ")
    assert errors[1].startswith("services/orders/depends_on/topics/condition: 'whenever' ")


def test_every_service_has_its_own_database_migration_job_topics_and_health_check() -> None:
    assert structure_problems(load_compose()) == []


def test_the_gateway_forwards_the_pages_to_the_web_container_which_calls_the_gateway() -> None:
    assert web_wiring_problems(load_compose()) == []


def test_a_gateway_that_forwards_the_pages_elsewhere_is_reported() -> None:
    compose = copy.deepcopy(load_compose())
    compose["services"]["gateway"]["environment"]["GATEWAY_WEB_URL"] = "http://127.0.0.1:8106"
    compose["services"]["notifier"]["environment"].pop("PORTAL_PUBLIC_URL")

    assert web_wiring_problems(compose) == [
        "gateway: GATEWAY_WEB_URL is 'http://127.0.0.1:8106', not http://web:8106, the web container",
        "notifier: PORTAL_PUBLIC_URL is not the gateway's '${PORTAL_PUBLIC_URL:-http://localhost:8000}'",
    ]


def test_the_provisioning_job_creates_every_topic_and_its_dead_letter_topic() -> None:
    specs = {spec.name: spec for spec in topic_specs()}

    assert set(specs) == {name for topic in TOPICS for name in (topic, dlq_topic(topic))}
    for topic in TOPICS.values():
        spec = specs[topic.name]
        assert spec.num_partitions == topic.partitions
        expected = (
            {"cleanup.policy": "compact"}
            if topic.compacted
            else {"retention.ms": str(topic.retention_days * 86_400_000)}
        )
        assert spec.topic_configs == expected


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda c: c["services"]["matching"].pop("healthcheck"), "matching: no healthcheck"),
        (
            lambda c: c["services"]["orders"]["depends_on"].pop("migrate-orders"),
            "orders: does not wait for migrate-orders to complete successfully",
        ),
        (
            lambda c: c["services"]["notifier"]["depends_on"].pop("topics"),
            "notifier: does not wait for the topics to be provisioned",
        ),
        (
            lambda c: c["services"]["invoicing"]["environment"].update(
                INVOICING_DATABASE_URL="postgresql://orders:orders-dev-password@postgres:5432/portal_orders"
            ),
            "invoicing: shares the role 'orders' with another service",
        ),
        (lambda c: c["services"].pop("suppliers"), "suppliers: no container"),
        (lambda c: c["services"]["gateway"].pop("ports"), "gateway: not published on 8000"),
        (
            lambda c: c["services"]["web"].update(ports=["8106:8106"]),
            "web: published to the host (only the gateway is)",
        ),
        (lambda c: c["services"].pop("migrate-web"), "web: no migration job migrate-web"),
        (
            lambda c: c["services"]["web"]["environment"].update(
                WEB_DATABASE_URL="postgresql://gateway:gateway-dev-password@postgres:5432/portal_gateway"
            ),
            "web: shares the role 'gateway' with another service",
        ),
        (
            lambda c: c["services"]["kafka"].update(image="bitnami/kafka:3.9"),
            "kafka: not the official apache/kafka image",
        ),
    ],
    ids=[
        "healthcheck",
        "migration",
        "topics",
        "database",
        "container",
        "gateway-port",
        "web-published",
        "web-migration",
        "web-database",
        "kafka-image",
    ],
)
def test_a_broken_compose_file_is_reported(break_it: Any, expected: str) -> None:
    compose = copy.deepcopy(load_compose())
    break_it(compose)

    assert expected in structure_problems(compose)


def _volume_names(service: dict[str, Any]) -> set[str]:
    return {str(volume).split(":", 1)[0] for volume in service.get("volumes", [])}


def test_only_the_gateway_reads_the_signing_key_and_the_key_job_makes_it_its_users_alone() -> None:
    services = load_compose()["services"]
    with_signing_key = {name for name, service in services.items() if "signing-key" in _volume_names(service)}
    assert with_signing_key == {"keys", "gateway", "migrate-gateway"}
    for name in ("gateway", "migrate-gateway"):
        assert services[name]["environment"]["GATEWAY_JWT_PRIVATE_KEY_FILE"].startswith("/signing/")
        assert "signing-key:/signing:ro" in services[name]["volumes"]
    gateway_user = re.search(r"^USER (\d+):(\d+)$", (ROOT / "services/gateway/Dockerfile").read_text(), re.M)
    assert gateway_user is not None
    command = " ".join(services["keys"]["command"])
    assert "provision_keys(Path('/signing'), Path('/keys')" in command
    assert f"owner=({gateway_user.group(1)}, {gateway_user.group(2)})" in command
    assert "jwt-private" not in command  # no key file of its own making, no mode of its own
    assert all(
        "jwt-private" not in str(v)
        for n, s in services.items()
        if n not in with_signing_key
        for v in s.get("environment", {}).values()
    )


def test_only_the_notifier_reads_the_key_that_opens_single_use_links() -> None:
    services = load_compose()["services"]
    with_link_key = {name for name, service in services.items() if "link-key" in _volume_names(service)}
    assert with_link_key == {"keys", "notifier"}
    assert "link-key:/links:ro" in services["notifier"]["volumes"]
    assert services["notifier"]["environment"]["NOTIFIER_LINK_PRIVATE_KEY_FILE"] == "/links/link-private.pem"
    for name in ("gateway", "migrate-gateway"):
        assert services[name]["environment"]["GATEWAY_LINK_PUBLIC_KEY_FILE"] == "/keys/link-public.pem"
    notifier_user = re.search(r"^USER (\d+):(\d+)$", (ROOT / "services/notifier/Dockerfile").read_text(), re.M)
    assert notifier_user is not None
    command = " ".join(services["keys"]["command"])
    owner = f"owner=({notifier_user.group(1)}, {notifier_user.group(2)})"
    assert f"provision_link_keys(Path('/links'), Path('/keys'), {owner})" in command


def test_mailpit_is_reached_from_this_machine_only() -> None:
    ports = load_compose()["services"]["mailpit"]["ports"]
    assert ports and all(str(port).startswith("127.0.0.1:") for port in ports)
