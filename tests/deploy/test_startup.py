"""Start-up chores run by docker/entrypoint.sh: waiting for the database, migrating once, liveness."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from predictions.schema import REQUEST_LINE_MAX_BYTES
from tests.conftest import REPO_ROOT


def manage(tmp_path: Path, *args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'startup.sqlite3'}",
        "ML_ARTIFACTS_DIR": str(tmp_path / "no-artifacts"),
    }
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_wait_for_db_gives_up_after_its_timeout_naming_the_database(tmp_path: Path) -> None:
    unreachable = "postgres://postgres@127.0.0.1:9/nowhere"  # port 9 (discard) has no server here
    result = manage(tmp_path, "wait_for_db", "--timeout", "1", database_url=unreachable)
    assert result.returncode == 1
    assert "The database is not ready after 1 s" in result.stderr
    assert "Check DATABASE_URL" in result.stderr


def test_wait_for_db_migrated_waits_for_pending_migrations_then_passes(tmp_path: Path) -> None:
    pending = manage(tmp_path, "wait_for_db", "--timeout", "1", "--migrated")
    assert pending.returncode == 1
    assert "migrations not applied yet" in pending.stderr

    assert manage(tmp_path, "migrate_locked").returncode == 0
    ready = manage(tmp_path, "wait_for_db", "--timeout", "1", "--migrated")
    assert ready.returncode == 0, ready.stderr
    assert "database ready" in ready.stdout


def test_migrate_locked_applies_once_then_finds_nothing_to_do(tmp_path: Path) -> None:
    first = manage(tmp_path, "migrate_locked")
    second = manage(tmp_path, "migrate_locked")
    assert first.returncode == second.returncode == 0
    assert "migrations applied by this instance" in first.stdout
    assert "predictions.0001_initial" in first.stdout
    assert "nothing to apply" in second.stdout


def test_concurrent_migrate_locked_on_sqlite_migrates_exactly_once(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}"}
    command = [sys.executable, "manage.py", "migrate_locked"]
    processes = [
        subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], [err for _, err in outputs]
    applied = [out for out, _ in outputs if "migrations applied by this instance" in out]
    assert len(applied) == 1
    assert sum("nothing to apply" in out for out, _ in outputs) == 2


@pytest.mark.django_db
def test_liveness_answers_without_database_models_or_allowed_host(
    client: Client, django_assert_num_queries: pytest.FixtureRequest
) -> None:
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = client.get("/healthz/", HTTP_HOST="10.1.2.3:8000")  # a pod IP, not in ALLOWED_HOSTS
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_liveness_only_answers_reads(client: Client) -> None:
    assert client.head("/healthz/").status_code == 200
    assert client.post("/healthz/").status_code == 404  # falls through to the URLconf, which has no such page


def test_gunicorn_request_line_limit_is_the_one_the_schema_documents() -> None:
    settings = runpy.run_path(str(REPO_ROOT / "docker" / "gunicorn.conf.py"))
    assert settings["limit_request_line"] == REQUEST_LINE_MAX_BYTES
    assert settings["preload_app"] is True
