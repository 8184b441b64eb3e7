"""schemathesis v4 against the running service's own OpenAPI schema: every check, 100 examples a phase."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.conftest import E2E_PASSWORDS, GunicornServer

pytestmark = pytest.mark.e2e
REPORTS = REPO_ROOT / "test-reports" / "schemathesis"
MAX_EXAMPLES = 100
TIME_LIMIT_SECONDS = 600


def test_schemathesis_finds_no_failure(gunicorn_server: GunicornServer) -> None:
    token = gunicorn_server.request(
        "POST", "/api/auth/token/", {"username": "alice", "password": E2E_PASSWORDS["alice"]}
    )
    assert token.status == 200, token.body
    REPORTS.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(REPO_ROOT / "tests" / "fuzz" / "schemathesis.toml"),
        "run",
        f"{gunicorn_server.url}/api/schema/",
        "--header",
        f"Authorization: Token {token.body['token']}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "2",
        "--continue-on-failure",
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20261125"),  # reproducible in CI; vary it to explore
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(REPORTS / f"schemathesis-{database}.xml"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS, check=False)
    summary = re.search(r"(\d+) generated, .*", result.stdout)
    print(f"schemathesis ({database}): {summary.group(0) if summary else 'no summary'}")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "No issues found" in result.stdout
    assert summary is not None
    assert int(summary.group(1)) >= MAX_EXAMPLES * 9  # 9 operations
