"""/dashboard/ as HTML: login required, three server-drawn charts, the form, the staff filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from predictions.registry import registry_holder
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY
from tests.conftest import PASSWORDS

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORDS[user.username])
    return client


def test_the_dashboard_needs_a_login() -> None:
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/api/auth/login/?next=/dashboard/")


def test_three_charts_with_titles_labels_and_units(alice: User, alice_client: APIClient) -> None:
    alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    page = logged_in(alice).get("/dashboard/").content.decode()
    assert page.count("<svg") == 3
    for text in (
        "Model comparison on both holdouts",
        "★ HistGradientBoostingRegressor",
        "rentals per hour",
        "Predicted rentals on a Friday in June",
        "hour of the day",
        "Prediction history: requests and mean predicted rentals per day",
        "requests per day",
        "Prediction history (you)",
    ):
        assert text in page, text
    assert "https://" not in page.split("</style>")[1].split("<svg")[0]  # no CDN anywhere before the charts


def test_the_form_changes_the_day_curve(alice: User) -> None:
    client = logged_in(alice)
    friday = client.get("/dashboard/").content.decode()
    compared = client.get("/dashboard/?weekday=1&month=10&weather=3&compare_weather=1&compare_model=Lasso").content
    assert "Predicted rentals on a Monday in October" in compared.decode()
    for label in ("Rainy, HistGradientBoostingRegressor", "Rainy, Lasso", "Clear, HistGradientBoostingRegressor"):
        assert label in compared.decode()
    assert "Predicted rentals on a Friday in June" in friday


def test_bad_form_values_fall_back_to_the_defaults(alice: User) -> None:
    page = logged_in(alice).get("/dashboard/?weekday=9&month=x").content.decode()
    assert "Predicted rentals on a Friday in June" in page


def test_history_is_your_own_and_staff_can_filter_by_user(
    alice: User, bob_client: APIClient, staff: User, alice_client: APIClient
) -> None:
    bob_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert "No logged requests yet" in logged_in(alice).get("/dashboard/").content.decode()
    everyone = logged_in(staff).get("/dashboard/").content.decode()
    assert "Prediction history (everyone)" in everyone
    only_alice = logged_in(staff).get("/dashboard/?user=alice").content.decode()
    assert "Prediction history (alice)" in only_alice
    assert "No logged requests yet" in only_alice


def test_without_models_the_dashboard_says_so(alice: User, settings: Any, tmp_path: Path) -> None:
    settings.ML_ARTIFACTS_DIR = tmp_path
    registry_holder.cache_clear()
    response = logged_in(alice).get("/dashboard/")
    assert response.status_code == 503
    assert "python manage.py train" in response.content.decode()


def test_linked_from_the_api_root_and_the_admin(staff: User, alice_client: APIClient) -> None:
    assert alice_client.get("/api/").json()["dashboard"].endswith("/dashboard/")
    assert 'href="/dashboard/"' in logged_in(staff).get("/admin/").content.decode()
