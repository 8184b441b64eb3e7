from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from predictions.ml import vocabulary
from predictions.models import Endpoint, RequestLog
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY, MONDAY_OCTOBER_8H_RAINY
from tests.conftest import FRIDAY_JUNE_15H_CLOUDY_NORMALISED, PASSWORDS

pytestmark = pytest.mark.django_db


def predict(client: APIClient, body: Any, **kwargs: Any) -> Any:
    return client.post("/api/predict/", body, format="json", **kwargs)


def test_alice_predicts_a_friday_in_june_at_15h_cloudy(alice_client: APIClient) -> None:
    response = predict(alice_client, FRIDAY_JUNE_15H_CLOUDY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"] == "alice"
    assert body["model"] == "HistGradientBoostingRegressor"
    assert isinstance(body["prediction"], int)
    assert body["prediction"] > 0
    assert body["inputs"] == FRIDAY_JUNE_15H_CLOUDY_NORMALISED
    assert RequestLog.objects.get(pk=body["request_id"]).output["prediction"] == body["prediction"]


def test_bob_predicts_a_rainy_monday_morning_in_october(bob_client: APIClient) -> None:
    response = predict(bob_client, MONDAY_OCTOBER_8H_RAINY)
    assert response.status_code == 200
    assert response.json()["user"] == "bob"
    assert isinstance(response.json()["prediction"], int)


def test_french_names_codes_and_english_names_give_the_same_prediction(alice_client: APIClient) -> None:
    english = predict(alice_client, FRIDAY_JUNE_15H_CLOUDY).json()
    french = predict(alice_client, {"hour": "15h", "weekday": "vendredi", "month": "juin", "weather": "nuageux"}).json()
    codes = predict(alice_client, {"hour": "3pm", "weekday": 5, "month": 6, "weather": 2}).json()
    assert english["prediction"] == french["prediction"] == codes["prediction"]
    assert english["inputs"] == french["inputs"] == codes["inputs"]


def test_weather_changes_the_prediction(alice_client: APIClient) -> None:
    clear = predict(alice_client, {**FRIDAY_JUNE_15H_CLOUDY, "weather": "clear"}).json()["prediction"]
    storm = predict(alice_client, {**FRIDAY_JUNE_15H_CLOUDY, "weather": "storm"}).json()["prediction"]
    assert clear > storm


def test_a_named_model_is_used_case_insensitively(alice_client: APIClient) -> None:
    body = predict(alice_client, {**FRIDAY_JUNE_15H_CLOUDY, "model": "lasso"}).json()
    assert body["model"] == "Lasso"


def test_optional_refinements_and_their_defaults(alice_client: APIClient) -> None:
    body = predict(alice_client, {**FRIDAY_JUNE_15H_CLOUDY, "year": 2011, "holiday": True}).json()
    assert body["inputs"]["year"] == 2011
    assert body["inputs"]["holiday"] is True
    assert body["inputs"]["workingday"] is False  # derived: a holiday is not a working day
    saturday = predict(alice_client, {**FRIDAY_JUNE_15H_CLOUDY, "weekday": "Saturday", "workingday": True}).json()
    assert saturday["inputs"]["workingday"] is True  # explicit value wins


def test_token_authentication(token_client: APIClient) -> None:
    assert predict(token_client, FRIDAY_JUNE_15H_CLOUDY).status_code == 200


def test_session_authentication_with_csrf(alice: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert predict(client, FRIDAY_JUNE_15H_CLOUDY).status_code == 403  # no CSRF token
    csrf_token = client.get("/api/auth/login/").cookies["csrftoken"].value
    assert predict(client, FRIDAY_JUNE_15H_CLOUDY, HTTP_X_CSRFTOKEN=csrf_token).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "accepted"),
    [
        ({**FRIDAY_JUNE_15H_CLOUDY, "weather": "foggyish"}, "weather", vocabulary.WEATHER_ACCEPTED),
        ({**FRIDAY_JUNE_15H_CLOUDY, "weekday": "Fryday"}, "weekday", vocabulary.WEEKDAY_ACCEPTED),
        ({**FRIDAY_JUNE_15H_CLOUDY, "month": 13}, "month", vocabulary.MONTH_ACCEPTED),
        ({**FRIDAY_JUNE_15H_CLOUDY, "hour": 24}, "hour", vocabulary.HOUR_ACCEPTED),
        ({**FRIDAY_JUNE_15H_CLOUDY, "hour": True}, "hour", vocabulary.HOUR_ACCEPTED),
        ({**FRIDAY_JUNE_15H_CLOUDY, "year": 2030}, "year", vocabulary.YEAR_ACCEPTED),
        ({**FRIDAY_JUNE_15H_CLOUDY, "model": "XGBoost"}, "model", "Lasso"),
    ],
)
def test_bad_values_get_400_naming_the_field_and_the_accepted_values(
    alice_client: APIClient, body: dict[str, Any], field: str, accepted: str
) -> None:
    response = predict(alice_client, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert error["detail"].startswith(f"{field}: ")
    assert accepted in error["errors"][field][0]
    log = RequestLog.objects.get(pk=error["request_id"])
    assert (log.status_code, log.endpoint, log.features) == (400, Endpoint.PREDICT, None)


def test_missing_fields_are_each_named(alice_client: APIClient) -> None:
    response = predict(alice_client, {"hour": 15})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"weekday", "month", "weather"}


def test_unknown_fields_are_rejected(alice_client: APIClient) -> None:
    response = predict(alice_client, {**FRIDAY_JUNE_15H_CLOUDY, "wheather": "rain"})
    assert response.status_code == 400
    assert "Accepted fields" in response.json()["errors"]["wheather"][0]


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"a string"', "application/json", 400),
        ("", "application/json", 400),
        ("hour=15", "text/plain", 415),
    ],
)
def test_malformed_bodies_get_a_4xx_json_error_and_a_log_row(
    alice_client: APIClient, raw: str, content_type: str, status: int
) -> None:
    response = alice_client.post("/api/predict/", raw, content_type=content_type)
    assert response.status_code == status
    assert response.json()["detail"]
    assert RequestLog.objects.filter(status_code=status, endpoint=Endpoint.PREDICT).count() == 1


def test_the_browsable_apis_html_form_posts_a_prediction(alice: Any) -> None:
    """As a person does it: session login, the page's CSRF token sent in the form, CSRF enforced."""
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="alice", password=PASSWORDS["alice"])
    token = client.get("/api/predict/", HTTP_ACCEPT="text/html").cookies["csrftoken"].value
    form = {"csrfmiddlewaretoken": token, "hour": "15", "weekday": "Fri", "month": "Jun", "weather": "2"}
    response = client.post("/api/predict/", form, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"&quot;prediction&quot;:" in response.content
    log = RequestLog.objects.get()
    assert log.inputs == {"hour": "15", "weekday": "Fri", "month": "Jun", "weather": "2"}  # no CSRF token kept


def test_get_is_not_allowed_and_not_logged(alice_client: APIClient) -> None:
    assert alice_client.get("/api/predict/").status_code == 405
    assert not RequestLog.objects.exists()


@pytest.mark.parametrize(
    ("checked", "holiday", "workingday"), [({}, False, True), ({"holiday": "on"}, True, False)], ids=["none", "holiday"]
)
def test_the_browsable_api_form_reads_its_checkboxes(
    alice_client: APIClient, checked: dict[str, str], holiday: bool, workingday: bool
) -> None:
    response = alice_client.post("/api/predict/", {**FRIDAY_JUNE_15H_CLOUDY, **checked})  # multipart, as the form posts
    assert response.status_code == 200, response.content
    assert (response.json()["inputs"]["holiday"], response.json()["inputs"]["workingday"]) == (holiday, workingday)
