"""A second `portal up` (what `make up` runs) on the data directory of a running one refuses
before it starts any server, naming the running one's pid, and leaves that one's files alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portal_cli.endpoints import FILE_NAME
from portal_cli.main import app
from tests.shared.unit.test_stack_lifeline import lock_held_elsewhere


def test_portal_up_refuses_a_data_directory_another_run_holds_naming_its_pid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / FILE_NAME).write_text("{}")  # the running one's endpoints
    with lock_held_elsewhere(data) as holder:
        monkeypatch.setenv("PORTAL_DATA_DIR", str(data))
        monkeypatch.setenv("COLUMNS", "300")
        result = CliRunner().invoke(app, ["up"])
        assert result.exit_code == 2, result.output
        assert f"already running on {data} (pid {holder})" in result.output
        assert f"kill {holder}" in result.output
        # Nothing was started, and nothing of the running one's was touched.
        assert sorted(path.name for path in data.iterdir()) == sorted([FILE_NAME, "portal.lock"])
        assert int((data / "portal.lock").read_text()) == holder
