"""What a person sees: Swagger UI, the admin, the browsable API and the dashboard, in Chromium."""

from __future__ import annotations

import json

import pytest

from tests.e2e.browser.conftest import RecordedPage, session_login
from tests.e2e.conftest import E2E_PASSWORDS, GunicornServer

pytestmark = pytest.mark.e2e
FRIDAY = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}


def test_swagger_ui_authorizes_with_basic_and_tries_predict(
    browser_page: RecordedPage, gunicorn_server: GunicornServer
) -> None:
    page = browser_page.page
    page.goto(f"{gunicorn_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container .title")
    page.click(".auth-wrapper button.authorize")
    basic = page.locator(".auth-container", has_text="basicAuth")
    basic.locator("input").nth(0).fill("alice")
    basic.locator("input[type=password]").fill(E2E_PASSWORDS["alice"])
    basic.locator("button.authorize").click()
    page.click(".auth-btn-wrapper button.btn-done")

    operation = page.locator("#operations-predict-predict_create")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("textarea.body-param__text").fill(json.dumps(FRIDAY))
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    body = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()

    assert status.inner_text().strip() == "200"
    assert '"prediction"' in body
    assert '"user": "alice"' in body
    assert browser_page.hosts == {"127.0.0.1"}  # Swagger UI's files came from this server, nothing left it


def test_staff_browse_users_tokens_and_the_filtered_prediction_log_in_the_admin(
    browser_page: RecordedPage, gunicorn_server: GunicornServer
) -> None:
    gunicorn_server.request("POST", "/api/predict/", FRIDAY, user="bob")
    page, base = browser_page.page, gunicorn_server.url
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", E2E_PASSWORDS["admin"])
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert page.locator("#user-tools a", has_text="Dashboard").count() == 1

    page.goto(f"{base}/admin/accounts/user/")
    assert page.locator("#result_list", has_text="alice").count() == 1
    page.goto(f"{base}/admin/authtoken/tokenproxy/")
    assert page.locator("#content h1").inner_text().lower().startswith("select token")
    page.goto(f"{base}/admin/predictions/requestlog/?endpoint__exact=predict")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 1
    assert page.locator("#changelist-filter li.selected", has_text="Predict").count() >= 1


def test_the_browsable_api_posts_a_prediction_from_its_html_form(
    browser_page: RecordedPage, gunicorn_server: GunicornServer
) -> None:
    page = browser_page.page
    session_login(page, gunicorn_server.url, "bob", E2E_PASSWORDS["bob"], "/api/predict/")
    form = page.locator("#post-object-form")
    for name, value in FRIDAY.items():
        form.locator(f"[name={name}]").fill(str(value))
    form.locator("button", has_text="POST").click()
    page.wait_for_selector(".response-info")
    response = page.locator(".response-info").inner_text()
    assert "HTTP 200 OK" in response
    assert '"prediction":' in response
    assert '"user": "bob"' in response


def test_the_dashboard_draws_every_chart_and_the_day_curve_follows_the_form(
    browser_page: RecordedPage, gunicorn_server: GunicornServer
) -> None:
    for hour in (8, 17):
        gunicorn_server.request("POST", "/api/predict/", {**FRIDAY, "hour": hour}, user="alice")
    page = browser_page.page
    session_login(page, gunicorn_server.url, "alice", E2E_PASSWORDS["alice"], "/dashboard/")

    for section, title in (
        ("#scores", "Model comparison on both holdouts"),
        ("#day", "Predicted rentals on a Friday in June"),
        ("#history", "Prediction history"),
    ):
        chart = page.locator(f"{section} figure svg")
        assert chart.count() == 1, section
        assert title in chart.inner_html(), section
        assert page.locator(f"{section} figure svg path").count() > 10, section
    assert "hour of the day" in page.locator("#day svg").inner_html()
    assert "predicted rentals per hour" in page.locator("#day svg").inner_html()
    before = page.locator("#day svg").inner_html()

    page.select_option("#id_weather", label="Rainy")
    page.select_option("#id_compare_weather", label="Clear")
    page.click("#day-form button[type=submit]")
    page.wait_for_url("**weather=3**")
    after = page.locator("#day svg").inner_html()
    assert after != before
    assert "Rainy, HistGradientBoostingRegressor" in after
    assert "Clear, HistGradientBoostingRegressor" in after
