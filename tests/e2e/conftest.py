"""A real gunicorn serving the project on 127.0.0.1, with its own database, migrated and seeded."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

E2E_PASSWORDS = {"admin": "e2e-admin-secret", "alice": "e2e-alice-secret", "bob": "e2e-bob-secret"}
STARTUP_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class HttpResponse:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class GunicornServer:
    url: str
    log_path: Path

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        accept: str = "application/json",
    ) -> HttpResponse:
        headers = {"Accept": accept}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if user is not None:
            secret = password if password is not None else E2E_PASSWORDS[user]
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
                return HttpResponse(response.status, _decode(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, _decode(error.read()), dict(error.headers))


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def e2e_database_url(tmp_dir: Path, name: str) -> str:
    """PostgreSQL when the run targets it (a database of its own), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    import psycopg  # noqa: PLC0415 - only needed for PostgreSQL runs

    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, check=True, timeout=300)


def server_environment(artifacts_root: Path, tmp_dir: Path, database_url: str) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DEMO_", "ADMIN_"))},
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": "e2e-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "ML_ARTIFACTS_DIR": str(artifacts_root),
        "ADMIN_PASSWORD": E2E_PASSWORDS["admin"],
        "DEMO_ALICE_PASSWORD": E2E_PASSWORDS["alice"],
        "DEMO_BOB_PASSWORD": E2E_PASSWORDS["bob"],
        "STATIC_ROOT": str(tmp_dir / "static"),
        "OMP_NUM_THREADS": "1",
        # The fuzzer and the load test send thousands of requests (and wrong credentials) from one
        # address: the limits themselves are tested in tests/api/test_security.py.
        "THROTTLE_USER_RATE": "1000000/min",
        "THROTTLE_ANON_RATE": "1000000/min",
        "LOGIN_FAILURES_MAX": "1000000",
    }


@contextmanager
def running_gunicorn(env: dict[str, str], tmp_dir: Path, workers: int = 2) -> Iterator[tuple[GunicornServer, Any]]:
    """Migrate, create the users, collect static files, then serve with gunicorn until the block ends."""
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "create_users")
    _manage(env, "collectstatic", "--noinput", "-v0")
    port = _free_port()
    log_path = tmp_dir / "gunicorn.log"
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "GUNICORN_GRACEFUL_TIMEOUT": "5"}
    command = [sys.executable, "-m", "gunicorn", "--config", "docker/gunicorn.conf.py", "bikeproject.wsgi:application"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = GunicornServer(f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_ready(server, process, workers)
        yield server, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def gunicorn_server(artifacts_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    tmp_dir = tmp_path_factory.mktemp("e2e")
    env = server_environment(artifacts_root, tmp_dir, e2e_database_url(tmp_dir, "bikeproject_e2e"))
    with running_gunicorn(env, tmp_dir) as (server, _):
        yield server


def worker_pids(master_pid: int) -> set[int]:
    result = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True, check=False)
    return {int(pid) for pid in result.stdout.split()}


def _wait_until_ready(server: GunicornServer, process: subprocess.Popen[bytes], workers: int) -> None:
    # The first worker can answer while the master is still forking the others: wait for all of them,
    # or a test that counts or kills workers races the start-up.
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.log_path.read_text()[-3000:]}")
        try:
            if server.request("GET", "/api/status/").status == 200 and len(worker_pids(process.pid)) == workers:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn not ready in {STARTUP_TIMEOUT_SECONDS} s:\n{server.log_path.read_text()[-3000:]}")
