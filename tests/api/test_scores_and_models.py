import pytest
from rest_framework.test import APIClient

from predictions.ml.registry import ModelRegistry
from predictions.models import Endpoint, RequestLog

pytestmark = pytest.mark.django_db


def test_lasso_score_is_in_the_original_range(alice_client: APIClient) -> None:
    response = alice_client.get("/api/scores/Lasso/")
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == "alice"
    assert body["model"] == "Lasso"
    assert 0 < body["r2"] < 0.3
    assert body["score"] == body["r2"]
    assert body["mae"] > 0
    assert body["rmse"] >= body["mae"]
    assert "chronological_r2" in body
    log = RequestLog.objects.get()
    assert (log.endpoint, log.status_code, log.model_name, log.inputs) == (
        Endpoint.SCORES,
        200,
        "Lasso",
        {"model": "Lasso"},
    )


def test_decision_tree_score_is_above_079(bob_client: APIClient) -> None:
    assert bob_client.get("/api/scores/DecisionTreeRegressor/").json()["r2"] > 0.79


def test_model_names_are_case_insensitive(alice_client: APIClient) -> None:
    assert alice_client.get("/api/scores/decisiontreeregressor/").json()["model"] == "DecisionTreeRegressor"


def test_scores_match_the_manifest(alice_client: APIClient, served_artifacts) -> None:  # type: ignore[no-untyped-def]
    registry = ModelRegistry.load(served_artifacts)
    body = alice_client.get("/api/scores/").json()
    assert body["default_model"] == registry.default_model
    assert [model["model"] for model in body["models"]] == registry.model_names
    for model in body["models"]:
        metrics = registry.metrics(model["model"])
        assert model["r2"] == metrics["shuffled"]["r2"]
        assert model["chronological_r2"] == metrics["chronological"]["r2"]
        assert model["is_default"] == (model["model"] == registry.default_model)


def test_an_unknown_model_is_404_with_the_known_names(alice_client: APIClient) -> None:
    response = alice_client.get("/api/scores/XGBoost/")
    assert response.status_code == 404
    body = response.json()
    assert "Lasso" in body["known_models"]
    assert "XGBoost" in body["detail"]
    assert RequestLog.objects.get().status_code == 404


def test_scores_require_authentication(anonymous_client: APIClient) -> None:
    response = anonymous_client.get("/api/scores/Lasso/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert RequestLog.objects.get().status_code == 401


def test_models_endpoint_describes_the_served_version(alice_client: APIClient) -> None:
    body = alice_client.get("/api/models/").json()
    assert body["artifact_version"] == "test-version"
    assert body["default_model"] == "HistGradientBoostingRegressor"
    assert body["data"]["data_format"] == "labelled"
    assert body["data"]["rows_kept"] == 17379
    assert body["feature_defaults"] == {"year": 2012}
    assert len(body["models"]) == 7
    assert not RequestLog.objects.exists()  # only predict, batch and scores are logged
