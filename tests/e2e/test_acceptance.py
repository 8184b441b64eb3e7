"""The original service's acceptance checks, replayed against a real gunicorn over HTTP."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import GunicornServer

pytestmark = pytest.mark.e2e

FRIDAY_JUNE_15H_CLOUDY = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}
MONDAY_OCTOBER_8H_RAINY = {"hour": 8, "weekday": "Monday", "month": "October", "weather": "Rainy"}


def test_status_is_ready(gunicorn_server: GunicornServer) -> None:
    response = gunicorn_server.request("GET", "/api/status/")
    assert response.status == 200
    assert response.body["status"] == 1


def test_alice_predicts_friday_june_15h_cloudy(gunicorn_server: GunicornServer) -> None:
    response = gunicorn_server.request("POST", "/api/predict/", FRIDAY_JUNE_15H_CLOUDY, user="alice")
    assert response.status == 200
    assert isinstance(response.body["prediction"], int)
    assert response.body["user"] == "alice"


def test_bob_predicts_monday_october_8h_rainy(gunicorn_server: GunicornServer) -> None:
    response = gunicorn_server.request("POST", "/api/predict/", MONDAY_OCTOBER_8H_RAINY, user="bob")
    assert response.status == 200
    assert isinstance(response.body["prediction"], int)


def test_lasso_score_between_0_and_03(gunicorn_server: GunicornServer) -> None:
    response = gunicorn_server.request("GET", "/api/scores/Lasso/", user="alice")
    assert response.status == 200
    assert 0 < response.body["r2"] < 0.3


def test_decision_tree_score_above_079(gunicorn_server: GunicornServer) -> None:
    response = gunicorn_server.request("GET", "/api/scores/DecisionTreeRegressor/", user="bob")
    assert response.status == 200
    assert response.body["r2"] > 0.79


def test_a_wrong_user_gets_401(gunicorn_server: GunicornServer) -> None:
    response = gunicorn_server.request("POST", "/api/predict/", FRIDAY_JUNE_15H_CLOUDY, user="mallory", password="x")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_docs_are_served_from_local_static_files(gunicorn_server: GunicornServer) -> None:
    page = gunicorn_server.request("GET", "/api/docs/", accept="text/html")
    assert page.status == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page.body
    script = gunicorn_server.request(
        "GET", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", accept="*/*"
    )
    assert script.status == 200
    assert gunicorn_server.request("GET", "/api/schema/", accept="application/vnd.oai.openapi").status == 200


def test_concurrent_clients_all_get_served_and_logged(gunicorn_server: GunicornServer) -> None:
    """Two workers writing the log at once: no "database is locked", no lost row."""
    before = gunicorn_server.request("GET", "/api/predictions/?endpoint=predict&page_size=1", user="admin").body[
        "count"
    ]
    requests = 80

    def one(index: int) -> int:
        body = {**FRIDAY_JUNE_15H_CLOUDY, "hour": index % 24}
        return gunicorn_server.request("POST", "/api/predict/", body, user="alice" if index % 2 else "bob").status

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(one, range(requests)))
    assert statuses == [200] * requests
    after = gunicorn_server.request("GET", "/api/predictions/?endpoint=predict&page_size=1", user="admin").body["count"]
    assert after - before == requests


def test_an_overlong_url_gets_the_documented_414_and_a_long_one_reaches_django(gunicorn_server: GunicornServer) -> None:
    overhead = len("GET /api/predictions/?model= HTTP/1.1")
    fits = gunicorn_server.request("GET", "/api/predictions/?model=" + "x" * (8000 - overhead), user="alice")
    too_long = gunicorn_server.request("GET", "/api/predictions/?model=" + "x" * 8200, user="alice")
    schema = gunicorn_server.request("GET", "/api/schema/?format=json", accept="application/vnd.oai.openapi+json")

    assert fits.status == 200, fits.body  # a free-text filter that matches nothing
    assert fits.body["count"] == 0
    assert too_long.status == 414
    operations = [op for path in schema.body["paths"].values() for op in path.values()]
    assert operations
    assert all("414" in operation["responses"] for operation in operations)
