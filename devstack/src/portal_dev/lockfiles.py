"""The lock files of every Python dependency, and their audit for known vulnerabilities.

``requirements/dev.lock`` pins, with hashes, everything the development environment installs
(every service, the dev stack, the CLI, the tests and the benchmark); ``requirements/<service>.lock``
what one service's image installs. They list no package of this repository: those are installed
from their folders, without dependencies, after the lock.

    python -m portal_dev.lockfiles compile   # write the locks again (uv pip compile, from the index)
    python -m portal_dev.lockfiles audit     # pip-audit every lock: exit 1 on a vulnerability with a fix

``make lock`` and ``make audit`` run them; ``make test`` audits. The audit asks the vulnerability
service (OSV by default); where it cannot be reached, it says so and audits nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LOCKS = ROOT / "requirements"
SERVICES = ("gateway", "invoicing", "matching", "notifier", "orders", "suppliers", "web")
LOCAL_FOLDERS = ("shared", "devstack", *(f"services/{s}" for s in SERVICES), "cli")
# Every lock is resolved for all platforms (``--universal``) from the oldest Python the services take.
PYTHON_VERSION = "3.11"
_NAME = re.compile(r'^name\s*=\s*"([^"]+)"', re.M)


def local_names() -> list[str]:
    """The distribution names of this repository's packages (never taken from an index)."""
    names = []
    for folder in LOCAL_FOLDERS:
        match = _NAME.search((ROOT / folder / "pyproject.toml").read_text())
        assert match, folder
        names.append(match.group(1))
    return names


def compile_locks(uv: str) -> None:
    """Each ``requirements/NAME.in`` into ``requirements/NAME.lock``, from the index."""
    excluded = [arg for name in local_names() for arg in ("--no-emit-package", name)]
    for source in sorted(LOCKS.glob("*.in")):
        subprocess.run(
            [
                *(uv, "pip", "compile", source.name, "--generate-hashes", "--universal", "--quiet"),
                *("--python-version", PYTHON_VERSION, *excluded, "--custom-compile-command", "make lock"),
                *("-o", source.with_suffix(".lock").name),
            ],
            cwd=LOCKS,
            check=True,
        )


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    vulnerability: str
    fixed_in: tuple[str, ...]


def audit(lock: Path, *, osv_url: str | None = None, timeout_s: int = 15) -> tuple[list[Finding], str | None]:
    """pip-audit of ``lock`` against OSV: the vulnerabilities found, or why nothing was audited."""
    command = [sys.executable, "-m", "pip_audit", "-r", str(lock), "--require-hashes", "--disable-pip"]
    command += ["--no-deps", "-s", "osv", "-f", "json", "--progress-spinner", "off", "--timeout", str(timeout_s)]
    if osv_url:
        command += ["--osv-url", osv_url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        reason = (done.stderr.strip().splitlines() or ["pip-audit gave no report"])[-1]
        return [], reason
    findings = [
        Finding(dependency["name"], dependency["version"], vuln["id"], tuple(vuln.get("fix_versions", ())))
        for dependency in report.get("dependencies", [])
        for vuln in dependency.get("vulns", [])
    ]
    return findings, None


def audit_all(locks: list[Path], *, osv_url: str | None = None) -> int:
    """Audit ``locks``: 1 when a vulnerability has a fix to take; one with none is shown, not failed."""
    failed = False
    for lock in locks:
        findings, unaudited = audit(lock, osv_url=osv_url)
        if unaudited is not None:
            print(f"{lock.name}: NOT AUDITED, the vulnerability service could not be asked: {unaudited}")
            continue
        for finding in findings:
            if finding.fixed_in:
                failed = True
                fixes = ", ".join(finding.fixed_in)
                print(f"{lock.name}: {finding.package} {finding.version}: {finding.vulnerability}, fixed in {fixes}")
            else:
                print(f"{lock.name}: {finding.package} {finding.version}: {finding.vulnerability}, no fix yet")
        if not findings:
            print(f"{lock.name}: no known vulnerability")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["compile"]:
        uv = str(Path(sys.executable).with_name("uv"))
        compile_locks(uv)
        return 0
    if args[:1] == ["audit"]:
        osv_url = args[args.index("--osv-url") + 1] if "--osv-url" in args else None
        paths = [Path(a) for a in args[1:] if a.endswith(".lock")] or sorted(LOCKS.glob("*.lock"))
        return audit_all(paths, osv_url=osv_url)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
