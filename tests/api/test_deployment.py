"""predictions.deployment in-process: the pieces docker/entrypoint.sh and gunicorn's master call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from predictions import deployment
from predictions.registry import registry_holder


def test_models_preload_loads_and_verifies_the_served_version() -> None:
    assert deployment.models_preload() == "models loaded and verified: version test-version, 7 models"


def test_models_preload_reports_instead_of_raising_when_artifacts_are_missing(settings: Any, tmp_path: Path) -> None:
    settings.ML_ARTIFACTS_DIR = tmp_path
    registry_holder.cache_clear()
    line = deployment.models_preload()
    assert line.startswith("models NOT loaded:")
    assert "python manage.py train" in line


@pytest.mark.django_db
def test_database_wait_returns_at_once_when_the_database_is_migrated() -> None:
    reports: list[str] = []
    deployment.database_wait(1, require_migrated=True, report=reports.append)
    assert reports == []
    assert deployment.unapplied_migrations() == []


def test_database_wait_reports_each_attempt_then_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deployment, "database_problem", lambda: "OperationalError: connection refused")
    reports: list[str] = []
    with pytest.raises(deployment.DatabaseNotReadyError, match="not ready after 0 s: OperationalError"):
        deployment.database_wait(0.25, interval=0.05, report=reports.append)
    assert len(reports) >= 2
    assert all("connection refused" in report for report in reports)


@pytest.mark.django_db(transaction=True)
def test_migrate_with_lock_finds_nothing_to_apply_on_a_migrated_database() -> None:
    assert deployment.migrate_with_lock(verbosity=0) == []
