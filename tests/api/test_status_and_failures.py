from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection
from rest_framework.test import APIClient

from predictions import services, writes
from predictions.models import RequestLog
from predictions.registry import registry_holder
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_artifacts(settings: Any, tmp_path: Path) -> Path:
    settings.ML_ARTIFACTS_DIR = tmp_path
    registry_holder.cache_clear()
    return tmp_path


def test_status_is_ready_without_authentication(anonymous_client: APIClient) -> None:
    response = anonymous_client.get("/api/status/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 1
    assert body["artifact_version"] == "test-version"
    assert body["default_model"] == "HistGradientBoostingRegressor"


def test_status_is_503_naming_missing_artifacts_and_what_to_run(
    anonymous_client: APIClient, no_artifacts: Path
) -> None:
    response = anonymous_client.get("/api/status/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == 0
    assert any("models:" in problem and "python manage.py train" in problem for problem in body["problems"])


def test_status_is_503_naming_the_database(anonymous_client: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    class BrokenCursor:
        def __enter__(self) -> "BrokenCursor":
            raise DatabaseError("connection refused")

        def __exit__(self, *args: object) -> None:
            return None

    monkeypatch.setattr(services.connection, "cursor", BrokenCursor)
    response = anonymous_client.get("/api/status/")
    assert response.status_code == 503
    assert response.json()["problems"] == ["database: DatabaseError: connection refused"]


def test_predict_without_models_is_503_with_a_log_row(alice_client: APIClient, no_artifacts: Path) -> None:
    response = alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert response.status_code == 503
    assert "python manage.py train" in response.json()["detail"]
    assert RequestLog.objects.get().status_code == 503


def test_a_prediction_that_cannot_be_logged_is_not_returned(
    alice_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, names, adapters = writes._insert_plan(RequestLog, connection.vendor)
    # A real failure from the database: the table the row goes to is not there.
    monkeypatch.setattr(
        writes, "_insert_plan", lambda model, vendor: ("INSERT INTO no_such_table VALUES (1)", names, adapters)
    )
    response = alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "request_log_unavailable"
    assert "prediction" not in body


def test_a_database_error_while_serving_is_503_not_500(
    staff_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(user: Any) -> None:
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr("predictions.selectors.request_log_list", broken)
    response = staff_client.get("/api/predictions/")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_latency_and_artifact_version_are_recorded(alice_client: APIClient) -> None:
    alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    log = RequestLog.objects.get()
    assert log.latency_ms > 0
    assert log.artifact_version == "test-version"
    assert log.model_name == "HistGradientBoostingRegressor"
    assert log.user.username == "alice"


def _change_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize(
    ("damage", "named"),
    [(_change_a_byte, "sha-256"), (_truncate, "sha-256"), (Path.unlink, "cannot be read")],
    ids=["a changed byte", "truncated", "missing"],
)
def test_damaged_artifacts_make_status_503_naming_the_file_and_nothing_is_unpickled(
    *,
    anonymous_client: APIClient,
    settings: Any,
    artifacts_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: Any,
    named: str,
) -> None:
    import shutil  # noqa: PLC0415

    import joblib  # noqa: PLC0415

    copy = tmp_path / "artifacts"
    shutil.copytree(artifacts_root, copy)
    damaged_file = copy / "test-version" / "RandomForestRegressor.joblib"
    damage(damaged_file)
    damaged_bytes = damaged_file.read_bytes() if damaged_file.exists() else None
    settings.ML_ARTIFACTS_DIR = copy
    registry_holder.cache_clear()
    unpickled: list[bytes] = []
    original_load = joblib.load

    def spying_load(source: Any, *args: Any, **kwargs: Any) -> Any:
        unpickled.append(source.getvalue())
        return original_load(source, *args, **kwargs)

    monkeypatch.setattr(joblib, "load", spying_load)

    response = anonymous_client.get("/api/status/")

    assert response.status_code == 503
    problem = " ".join(response.json()["problems"])
    assert "RandomForestRegressor.joblib" in problem
    assert named in problem.lower()
    # Only files that passed their checksum were unpickled, never the damaged bytes; loading stopped there.
    assert damaged_bytes not in unpickled
    assert len(unpickled) < 7
