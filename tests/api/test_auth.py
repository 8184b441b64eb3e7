import pytest
from rest_framework.test import APIClient

from predictions.models import RequestLog
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY, basic_header
from tests.conftest import PASSWORDS

pytestmark = pytest.mark.django_db

PROTECTED = ["/api/scores/", "/api/models/", "/api/predictions/"]


@pytest.mark.parametrize("path", PROTECTED)
def test_protected_endpoints_answer_401_with_www_authenticate(anonymous_client: APIClient, path: str) -> None:
    response = anonymous_client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "authorization", ["Basic " + "Ym9iOndyb25n", "Token 0000000000000000000000000000000000000000", "Basic not-base64"]
)
def test_wrong_credentials_are_401_and_logged_anonymously(alice, authorization: str) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response
    log = RequestLog.objects.get()
    assert (log.status_code, log.user) == (401, None)


def test_a_wrong_user_is_refused(alice) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_header("mallory", "letmein"))
    assert client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").status_code == 401


def test_an_inactive_user_is_refused(alice) -> None:  # type: ignore[no-untyped-def]
    alice.is_active = False
    alice.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_header("alice", PASSWORDS["alice"]))
    assert client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").status_code == 401


def test_token_endpoint_issues_a_token_that_authenticates(alice, anonymous_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    response = anonymous_client.post("/api/auth/token/", {"username": "alice", "password": PASSWORDS["alice"]})
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").json()["user"] == "alice"


def test_token_endpoint_refuses_a_wrong_password(alice, anonymous_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    response = anonymous_client.post("/api/auth/token/", {"username": "alice", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    missing = anonymous_client.post("/api/auth/token/", {"username": "alice"})
    assert missing.status_code == 400
    assert "password" in missing.json()["detail"]


def test_passwords_never_reach_the_request_log(alice_client: APIClient) -> None:
    alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    alice_client.get("/api/scores/Lasso/")
    for log in RequestLog.objects.all():
        assert PASSWORDS["alice"] not in str(log.inputs) + str(log.output)
