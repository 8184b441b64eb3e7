import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

from bikeproject import settings as project_settings
from tests.conftest import REPO_ROOT


def test_env_bool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "yes")
    assert project_settings.env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert project_settings.env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        project_settings.env_bool("FLAG", False)


def test_env_int_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBER", "x")
    with pytest.raises(ImproperlyConfigured, match="NUMBER"):
        project_settings.env_int("NUMBER", 1)
    monkeypatch.setenv("HOSTS", " a.example , b.example ,")
    assert project_settings.env_list("HOSTS", "") == ["a.example", "b.example"]


def test_sqlite_is_configured_for_concurrent_writers() -> None:
    if not project_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("this run uses PostgreSQL")
    options = project_settings.DATABASES["default"]["OPTIONS"]
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


@pytest.mark.django_db
def test_a_new_sqlite_database_gets_2_kb_pages_in_wal_mode(tmp_path: Path) -> None:
    if not project_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("this run uses PostgreSQL")
    settings_dict = {**connection.settings_dict, "NAME": str(tmp_path / "new.sqlite3")}
    settings_dict["OPTIONS"] = dict(project_settings.DATABASES["default"]["OPTIONS"])
    database = SQLiteDatabaseWrapper(settings_dict, alias="new")
    try:
        with database.cursor() as cursor:
            cursor.execute("CREATE TABLE log (id INTEGER PRIMARY KEY)")
            assert cursor.execute("PRAGMA page_size").fetchone() == (2048,)
            assert cursor.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        database.close()


def test_production_without_a_secret_key_refuses_to_start() -> None:
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "bikeproject.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.django_db
def test_migrations_match_the_models() -> None:
    from django.core.management import call_command  # noqa: PLC0415

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
