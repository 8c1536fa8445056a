"""Every Python dependency is locked with hashes, the locks are what make, CI and every image
install, and their audit fails on a known vulnerability that has a fix (shown against a
vulnerability service on this machine that answers as OSV does)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from portal_dev.lockfiles import LOCKS, ROOT, SERVICES, audit_all, local_names

PINNED = re.compile(r"^([A-Za-z0-9_.\-\[\],]+)==([^\s;\\]+)(?:\s*;\s*([^\\]+))?\s*\\\s*$")


def locked(lock: Path) -> dict[str, list[str]]:
    """Each package of a lock and its hashes; every requirement must be pinned and hashed."""
    packages: dict[str, list[str]] = {}
    current = None
    for line in lock.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("    --hash=sha256:"):
            assert current is not None, line
            packages[current].append(line.split(":", 1)[1].rstrip(" \\"))
            continue
        match = PINNED.match(line)
        assert match, f"{lock.name}: not pinned with hashes: {line!r}"
        current = canonicalize_name(match.group(1).split("[")[0])
        packages.setdefault(current, [])
    assert all(packages.values()), [name for name, hashes in packages.items() if not hashes]
    return packages


def declared(path: Path) -> set[str]:
    """The names a pyproject.toml or a requirements file asks for (this repository's own aside)."""
    text = path.read_text()
    if path.suffix == ".toml":
        block = re.search(r"^dependencies = \[(.*?)^\]", text, re.M | re.S)
        lines = re.findall(r'"([^"]+)"', block.group(1) if block else "")
    else:
        lines = [line.split("#")[0].strip() for line in text.splitlines()]
    names = {canonicalize_name(Requirement(line).name) for line in lines if line}
    return names - {canonicalize_name(n) for n in local_names()}


def test_every_lock_pins_each_package_with_its_hashes_and_none_of_this_repository() -> None:
    locks = sorted(LOCKS.glob("*.lock"))
    assert [lock.stem for lock in locks] == sorted(["dev", *SERVICES])
    for lock in locks:
        packages = locked(lock)
        assert not {canonicalize_name(n) for n in local_names()} & packages.keys()
        assert (LOCKS / f"{lock.stem}.in").exists()


def test_each_lock_holds_every_dependency_its_packages_declare() -> None:
    dev = locked(LOCKS / "dev.lock").keys()
    everything = [ROOT / "tests/requirements.txt", ROOT / "bench/requirements.txt"]
    everything += [ROOT / folder / "pyproject.toml" for folder in ("shared", "devstack", "cli")]
    for service in SERVICES:
        own = [ROOT / "shared/pyproject.toml", ROOT / f"services/{service}/pyproject.toml"]
        everything += own
        assert {n for p in own for n in declared(p)} <= locked(LOCKS / f"{service}.lock").keys(), service
    # Declared names resolved for other platforms only (a marker) are still in the universal lock.
    assert {n for p in everything for n in declared(p)} <= dev


def test_make_ci_and_every_image_install_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/dev.lock" in makefile
    assert "--no-deps" in makefile and "requirements/dev.lock" in makefile.split("$(VENV)/.installed:")[1]
    assert "audit" in re.search(r"^test: (.*)$", makefile, re.M).group(1)  # type: ignore[union-attr]
    assert "make test" in (ROOT / ".ci/run").read_text()
    for service in SERVICES:
        dockerfile = (ROOT / f"services/{service}/Dockerfile").read_text()
        assert f"requirements/{service}.lock" in dockerfile, service
        assert f"--require-hashes -r requirements/{service}.lock" in dockerfile, service
        assert "--no-deps" in dockerfile, service
    ignore = (ROOT / ".dockerignore").read_text()
    assert "!requirements/*.lock" in ignore


class FakeOsv(BaseHTTPRequestHandler):
    """Answers OSV's query API: jinja2 3.1.2 has a vulnerability fixed in 3.1.3, markupsafe 2.1.1
    one without a fix, anything else none."""

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name, version = query["package"]["name"], query["version"]
        vulns = []
        if (name, version) == ("jinja2", "3.1.2"):
            vulns = [vuln("GHSA-TEST-FIXED", name, fixed="3.1.3")]
        if (name, version) == ("markupsafe", "2.1.1"):
            vulns = [vuln("GHSA-TEST-NOFIX", name, fixed=None)]
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def vuln(identifier: str, name: str, *, fixed: str | None) -> dict[str, object]:
    events: list[dict[str, str]] = [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])
    return {
        "id": identifier,
        "summary": "a test vulnerability",
        "affected": [
            {"package": {"name": name, "ecosystem": "PyPI"}, "ranges": [{"type": "ECOSYSTEM", "events": events}]}
        ],
    }


@pytest.fixture
def osv_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), FakeOsv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1/query"
    server.shutdown()
    server.server_close()


def lock_of(tmp_path: Path, name: str, *pins: str) -> Path:
    path = tmp_path / f"{name}.lock"
    path.write_text("".join(f"{pin} \\\n    --hash=sha256:{'0' * 64}\n" for pin in pins))
    return path


def test_the_audit_fails_on_a_vulnerability_with_a_fix_and_names_it(
    osv_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = lock_of(tmp_path, "service", "jinja2==3.1.2", "idna==3.10")
    assert audit_all([lock], osv_url=osv_url) == 1
    assert "service.lock: jinja2 3.1.2: GHSA-TEST-FIXED, fixed in 3.1.3" in capsys.readouterr().out


def test_a_vulnerability_without_a_fix_is_shown_and_a_clean_lock_passes(
    osv_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unfixed = lock_of(tmp_path, "unfixed", "markupsafe==2.1.1")
    clean = lock_of(tmp_path, "clean", "jinja2==3.1.3", "idna==3.10")
    assert audit_all([unfixed, clean], osv_url=osv_url) == 0
    out = capsys.readouterr().out
    assert "unfixed.lock: markupsafe 2.1.1: GHSA-TEST-NOFIX, no fix yet" in out
    assert "clean.lock: no known vulnerability" in out


def test_an_unreachable_vulnerability_service_audits_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = lock_of(tmp_path, "service", "jinja2==3.1.2")
    assert audit_all([lock], osv_url="http://127.0.0.1:9/v1/query") == 0
    assert "service.lock: NOT AUDITED" in capsys.readouterr().out
