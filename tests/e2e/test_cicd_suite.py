"""The cicd container's acceptance suite (docker/cicd/acceptance.py), run against a real gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import E2E_PASSWORDS, GunicornServer

pytestmark = pytest.mark.e2e
ACCEPTANCE = REPO_ROOT / "docker" / "cicd" / "acceptance.py"


def run_acceptance(server: GunicornServer, report: Path, alice_password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEMO_ALICE_PASSWORD": alice_password, "DEMO_BOB_PASSWORD": E2E_PASSWORDS["bob"]}
    command = [sys.executable, str(ACCEPTANCE), "--url", server.url, "--junit-xml", str(report), "--wait", "10"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_acceptance_suite_passes_prints_each_check_and_writes_junit(
    gunicorn_server: GunicornServer, tmp_path: Path
) -> None:
    report = tmp_path / "acceptance.xml"
    result = run_acceptance(gunicorn_server, report, E2E_PASSWORDS["alice"])

    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.count("==> SUCCESS") == 10
    assert "10/10 checks passed" in result.stdout
    assert "expected: 200 and 0 < r2 < 0.3" in result.stdout
    assert E2E_PASSWORDS["alice"] not in result.stdout
    suite = ET.parse(report).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("10", "0")


def test_acceptance_suite_fails_as_a_whole_when_a_check_fails(gunicorn_server: GunicornServer, tmp_path: Path) -> None:
    report = tmp_path / "acceptance.xml"
    result = run_acceptance(gunicorn_server, report, "not-alices-password")

    assert result.returncode == 1
    assert "==> FAILURE" in result.stdout
    suite = ET.parse(report).getroot()
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert "alice: a Friday in June at 15h, cloudy" in failed
    assert "score of DecisionTreeRegressor" not in failed  # bob's checks still pass


def test_gunicorn_master_loads_and_verifies_models_before_forking(gunicorn_server: GunicornServer) -> None:
    log = gunicorn_server.log_path.read_text()
    loaded = log.index("models loaded and verified: version test-version, 7 models")
    assert loaded < log.index("Booting worker")
