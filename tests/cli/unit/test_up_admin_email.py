"""`portal up` (what `make up` runs) refuses, before starting anything, a PORTAL_ADMIN_EMAIL the
sign-in form would refuse: the message names the variable and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portal_cli.main import app


def test_portal_up_refuses_an_admin_address_nobody_could_sign_in_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["up"], env={"PORTAL_ADMIN_EMAIL": "admin@portal.test"})
    assert result.exit_code == 2, result.output
    assert "PORTAL_ADMIN_EMAIL 'admin@portal.test' cannot be used" in result.output
    assert "special-use or reserved name" in result.output
    # Nothing was started: no data directory, no endpoints file.
    assert not (tmp_path / "data").exists()
