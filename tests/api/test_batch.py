import pytest
from rest_framework.test import APIClient

from predictions.constants import BATCH_MAX_ITEMS
from predictions.models import Endpoint, RequestLog
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY, MONDAY_OCTOBER_8H_RAINY

pytestmark = pytest.mark.django_db


def test_batch_returns_one_prediction_per_item_in_order(alice_client: APIClient) -> None:
    items = [FRIDAY_JUNE_15H_CLOUDY, MONDAY_OCTOBER_8H_RAINY, {**FRIDAY_JUNE_15H_CLOUDY, "hour": 3}]
    response = alice_client.post("/api/predict/batch/", {"items": items}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    singles = [alice_client.post("/api/predict/", item, format="json").json()["prediction"] for item in items]
    assert body["predictions"] == singles
    assert [entry["hour"] for entry in body["inputs"]] == [15, 8, 3]
    log = RequestLog.objects.get(pk=body["request_id"])
    assert log.endpoint == Endpoint.PREDICT_BATCH
    assert len(log.features) == 3


def test_batch_of_the_maximum_size_is_served(alice_client: APIClient) -> None:
    items = [{**FRIDAY_JUNE_15H_CLOUDY, "hour": index % 24} for index in range(BATCH_MAX_ITEMS)]
    response = alice_client.post("/api/predict/batch/", {"items": items, "model": "ridge"}, format="json")
    assert response.status_code == 200
    assert response.json()["count"] == len(response.json()["predictions"]) == BATCH_MAX_ITEMS
    assert all(isinstance(value, int) and value >= 0 for value in response.json()["predictions"])
    assert response.json()["model"] == "Ridge"


def test_a_batch_over_the_limit_is_refused(alice_client: APIClient) -> None:
    items = [FRIDAY_JUNE_15H_CLOUDY] * (BATCH_MAX_ITEMS + 1)
    response = alice_client.post("/api/predict/batch/", {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f"items: Ensure this field has no more than {BATCH_MAX_ITEMS} elements."
    assert RequestLog.objects.get().status_code == 400


def test_an_empty_batch_is_refused(alice_client: APIClient) -> None:
    response = alice_client.post("/api/predict/batch/", {"items": []}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()["errors"]


def test_a_bad_item_is_named_by_its_position(alice_client: APIClient) -> None:
    items = [FRIDAY_JUNE_15H_CLOUDY, {**FRIDAY_JUNE_15H_CLOUDY, "weather": "lava"}]
    response = alice_client.post("/api/predict/batch/", {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("items[1].weather: ")


def test_batch_requires_authentication(anonymous_client: APIClient) -> None:
    response = anonymous_client.post("/api/predict/batch/", {"items": [FRIDAY_JUNE_15H_CLOUDY]}, format="json")
    assert response.status_code == 401
    assert RequestLog.objects.get().user is None
