import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from predictions.constants import MAX_PAGE_SIZE, PAGE_SIZE
from predictions.models import RequestLog
from predictions.views import RequestLogPagination
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY, MONDAY_OCTOBER_8H_RAINY

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(alice_client: APIClient, bob_client: APIClient) -> dict[str, str]:
    ids = {
        "alice_ok": alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").json()["request_id"],
        "alice_lasso": alice_client.post(
            "/api/predict/", {**FRIDAY_JUNE_15H_CLOUDY, "model": "Lasso"}, format="json"
        ).json()["request_id"],
        "alice_bad": alice_client.post("/api/predict/", {"hour": 99}, format="json").json()["request_id"],
        "bob_ok": bob_client.post("/api/predict/", MONDAY_OCTOBER_8H_RAINY, format="json").json()["request_id"],
    }
    return ids


def ids_of(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_users_see_only_their_own_records(alice_client: APIClient, history: dict[str, str]) -> None:
    assert ids_of(alice_client.get("/api/predictions/")) == {
        history["alice_ok"],
        history["alice_lasso"],
        history["alice_bad"],
    }


def test_another_users_record_is_404(alice_client: APIClient, history: dict[str, str]) -> None:
    assert alice_client.get(f"/api/predictions/{history['bob_ok']}/").status_code == 404
    own = alice_client.get(f"/api/predictions/{history['alice_ok']}/")
    assert own.status_code == 200
    assert own.json()["user"] == "alice"
    assert own.json()["features"] == [15, 5, 6, 2, 1, 0, 1]


def test_staff_see_everyone_and_filter_by_user(staff_client: APIClient, history: dict[str, str]) -> None:
    assert ids_of(staff_client.get("/api/predictions/")) == set(history.values())
    assert ids_of(staff_client.get("/api/predictions/?user=bob")) == {history["bob_ok"]}


def test_filters_by_model_status_and_date(alice_client: APIClient, history: dict[str, str]) -> None:
    assert ids_of(alice_client.get("/api/predictions/?model=lasso")) == {history["alice_lasso"]}
    assert ids_of(alice_client.get("/api/predictions/?status=400")) == {history["alice_bad"]}
    RequestLog.objects.filter(pk=history["alice_ok"]).update(created_at=timezone.now() - timedelta(days=10))
    week_ago = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert history["alice_ok"] not in ids_of(alice_client.get(f"/api/predictions/?created_after={week_ago}"))
    assert ids_of(alice_client.get(f"/api/predictions/?created_before={week_ago}")) == {history["alice_ok"]}


@pytest.mark.parametrize("query", ["status=abc", "created_after=yesterday", "endpoint=nope"])
def test_bad_filter_values_are_400_naming_the_filter(alice_client: APIClient, query: str) -> None:
    response = alice_client.get(f"/api/predictions/?{query}")
    assert response.status_code == 400
    assert query.split("=", 1)[0] in response.json()["errors"]


def test_history_is_read_only(alice_client: APIClient, history: dict[str, str]) -> None:
    url = f"/api/predictions/{history['alice_ok']}/"
    assert alice_client.delete(url).status_code == 405
    assert alice_client.patch(url, {"status_code": 500}, format="json").status_code == 405
    assert alice_client.post("/api/predictions/", {}, format="json").status_code == 405


def test_pagination(alice_client: APIClient, history: dict[str, str]) -> None:
    page = alice_client.get("/api/predictions/?page_size=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    assert alice_client.get("/api/predictions/?page=99").status_code == 404
    assert len(alice_client.get("/api/predictions/").json()["results"]) == min(3, PAGE_SIZE)


def test_page_size_is_capped(alice_client: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert RequestLogPagination.max_page_size == MAX_PAGE_SIZE
    monkeypatch.setattr(RequestLogPagination, "max_page_size", 2)  # small enough to observe with 3 rows
    page = alice_client.get(f"/api/predictions/?page_size={MAX_PAGE_SIZE + 1000}").json()
    assert (page["count"], len(page["results"])) == (3, 2)


def test_newest_first(alice_client: APIClient, history: dict[str, str]) -> None:
    rows = alice_client.get("/api/predictions/").json()["results"]
    assert [row["created_at"] for row in rows] == sorted((row["created_at"] for row in rows), reverse=True)


def _stored_text(record_id: str, *columns: str) -> tuple[str, ...]:
    """Columns of one log row as the database returns them (text; PostgreSQL's jsonb normalised)."""
    names = ", ".join(f"{connection.ops.quote_name(column)}" for column in columns)
    table = connection.ops.quote_name(RequestLog._meta.db_table)
    with connection.cursor() as cursor:
        pk = RequestLog._meta.pk.get_db_prep_value(uuid.UUID(record_id), connection)
        cursor.execute(f"SELECT {names} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names from the model
        return tuple(str(value) for value in cursor.fetchone())


def test_the_log_keeps_the_body_as_sent_and_the_response_as_rendered(alice_client: APIClient) -> None:
    body = '{"weather": "nuageux",  "hour": "15h", "weekday": "vendredi", "month": "juin"}'
    response = alice_client.post("/api/predict/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    inputs, output = _stored_text(response.json()["request_id"], "inputs", "output")
    assert (json.loads(inputs), json.loads(output)) == (json.loads(body), response.json())
    if connection.vendor == "sqlite":  # jsonb keeps the value, SQLite the text itself
        assert (inputs, output) == (body, response.content.decode())


def test_a_number_beyond_float_range_is_refused_logged_and_readable(alice_client: APIClient) -> None:
    body = b'{"hour": 1e400, "weekday": "Friday", "month": "June", "weather": "Cloudy"}'
    response = alice_client.post("/api/predict/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "hour" in response.json()["errors"]

    record = alice_client.get(f"/api/predictions/{response.json()['request_id']}/")
    assert record.status_code == 200, record.content
    # SQLite keeps the text, read back as text (as a float it would be inf, which JSON cannot carry);
    # PostgreSQL's jsonb keeps the exact number.
    expected = "1e400" if connection.vendor == "sqlite" else 10**400
    assert record.json()["inputs"]["hour"] == expected
    assert record.json()["status_code"] == 400
