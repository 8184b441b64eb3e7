import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from predictions.models import RequestLog
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY
from tests.conftest import PASSWORDS

pytestmark = pytest.mark.django_db


def test_schema_documents_every_endpoint(anonymous_client: APIClient) -> None:
    response = anonymous_client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    assert {
        "/api/status/",
        "/api/predict/",
        "/api/predict/batch/",
        "/api/scores/",
        "/api/scores/{model}/",
        "/api/models/",
        "/api/predictions/",
        "/api/predictions/{id}/",
        "/api/auth/token/",
    } <= paths
    schemes = schema["components"]["securitySchemes"]
    assert {"basicAuth", "tokenAuth", "cookieAuth"} <= set(schemes)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_local_static_files(anonymous_client: APIClient, path: str) -> None:
    response = anonymous_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/", 200),
        ("/api/status/", 200),
        ("/api/predict/", 405),
        ("/api/predict/batch/", 405),
        ("/api/scores/", 200),
        ("/api/scores/Lasso/", 200),
        ("/api/models/", 200),
        ("/api/predictions/", 200),
        ("/api/predictions/?model=lasso&status=200", 200),
    ],
)
def test_browsable_api_renders_every_endpoint(alice_client: APIClient, path: str, status: int) -> None:
    alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    record = RequestLog.objects.get()
    for url in (path, f"/api/predictions/{record.pk}/"):
        response = alice_client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == (status if url == path else 200), url
        assert response["Content-Type"].startswith("text/html")
        assert b"Django REST framework" in response.content


def test_browsable_api_renders_the_predict_form(alice) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(alice)
    response = client.get("/api/predict/", HTTP_ACCEPT="text/html")
    assert response.status_code == 405  # GET is not an action, but the page and its form render
    assert b'name="weather"' in response.content
    root = client.get("/api/", HTTP_ACCEPT="text/html")
    assert root.status_code == 200


def test_staff_review_users_tokens_and_the_log_in_the_admin(staff, alice_client: APIClient) -> None:  # type: ignore[no-untyped-def]
    alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    staff.is_superuser = True
    staff.save()
    client = Client()
    assert client.login(username="staff", password=PASSWORDS["staff"])
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 200
    changelist = client.get("/admin/predictions/requestlog/?status_code__exact=200")
    assert changelist.status_code == 200
    assert b"HistGradientBoostingRegressor" in changelist.content
    log = RequestLog.objects.get()
    detail = client.get(f"/admin/predictions/requestlog/{log.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content  # read-only
    assert client.get("/admin/predictions/requestlog/add/").status_code == 403


def test_non_staff_cannot_reach_the_admin(alice) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(alice)
    response = client.get("/admin/predictions/requestlog/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_schema_generates_without_warnings_and_validates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command  # noqa: PLC0415

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").stat().st_size > 1000
