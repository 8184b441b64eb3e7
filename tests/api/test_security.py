"""Security: production settings, rate limits, failed-login lockout, the Basic credential cache, docs access."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY, basic_header
from tests.conftest import PASSWORDS, REPO_ROOT

PRODUCTION_ENV = {
    "DEBUG": "0",
    "HTTPS": "1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "bikeproject.example.com",
}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command, cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_passes_with_the_production_settings() -> None:
    result = manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off() -> None:
    result = manage({**PRODUCTION_ENV, "HTTPS": "0"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no SSL redirect


@pytest.mark.django_db
def test_production_redirects_to_https_but_not_the_probes() -> None:
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='bikeproject.example.com')\n"
        "print(c.get('/api/scores/').status_code, c.get('/healthz/').status_code,"
        " c.get('/api/status/').status_code in (200, 503),"
        " c.get('/api/scores/', secure=True).headers.get('Strict-Transport-Security'))\n"
    )
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "bikeproject.settings", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["301", "200", "True", "max-age=31536000;", "includeSubDomains;", "preload"]


def test_docs_can_be_restricted_to_logged_in_users() -> None:
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='localhost')\n"
        "print(c.get('/api/schema/').status_code, c.get('/api/docs/').status_code)\n"
    )
    env = {"API_DOCS_PUBLIC": "0", "DJANGO_SETTINGS_MODULE": "bikeproject.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.stdout.split() == ["401", "401"], result.stderr[-2000:]


def with_rates(settings: Any, user: str = "6000/min", anon: str = "600/min") -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": user, "anon": anon},
    }


def test_each_user_has_a_rate_limit_answered_with_429_and_retry_after(
    settings: Any, token_client: APIClient, bob_client: APIClient
) -> None:
    with_rates(settings, user="3/min")
    statuses = [token_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = token_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert bob_client.get("/api/scores/").status_code == 200  # another user has a budget of their own


def test_anonymous_callers_are_limited_per_ip(settings: Any) -> None:
    with_rates(settings, anon="2/min")
    here, there = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    assert [here.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]
    assert there.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_status_is_never_throttled(settings: Any, anonymous_client: APIClient) -> None:
    with_rates(settings, anon="1/min")
    assert {anonymous_client.get("/api/status/").status_code for _ in range(5)} == {200}


def test_repeated_failed_logins_are_throttled_per_ip(settings: Any, alice: User) -> None:
    settings.LOGIN_FAILURES_MAX = 3
    attacker, neighbour = APIClient(REMOTE_ADDR="10.0.0.66"), APIClient(REMOTE_ADDR="10.0.0.7")
    attacker.credentials(HTTP_AUTHORIZATION=basic_header("alice", "guess"))
    assert [attacker.get("/api/scores/").status_code for _ in range(3)] == [401, 401, 401]

    attacker.credentials(HTTP_AUTHORIZATION=basic_header("alice", PASSWORDS["alice"]))
    locked = attacker.get("/api/scores/")
    assert locked.status_code == 429  # even the right password, until the window passes
    assert int(locked["Retry-After"]) > 0
    assert "failed logins" in locked.json()["detail"]
    token = attacker.post("/api/auth/token/", {"username": "alice", "password": PASSWORDS["alice"]}, format="json")
    assert token.status_code == 429
    session_login = Client(REMOTE_ADDR="10.0.0.66").post(
        "/api/auth/login/", {"username": "alice", "password": PASSWORDS["alice"], "next": "/api/"}
    )
    assert session_login.status_code == 200  # the form again, with an error; a success would redirect

    neighbour.credentials(HTTP_AUTHORIZATION=basic_header("alice", PASSWORDS["alice"]))
    assert neighbour.get("/api/scores/").status_code == 200
    neighbour_login = Client(REMOTE_ADDR="10.0.0.7").post(
        "/api/auth/login/", {"username": "alice", "password": PASSWORDS["alice"], "next": "/api/"}
    )
    assert neighbour_login.status_code == 302


@pytest.fixture
def hasher_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = User.check_password

    def counting(self: User, raw_password: str) -> bool:
        calls.append(self.username)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    return calls


def test_basic_auth_checks_the_password_once_then_remembers_it(
    alice_client: APIClient, hasher_calls: list[str]
) -> None:
    for _ in range(5):
        assert alice_client.get("/api/scores/").status_code == 200
    assert hasher_calls == ["alice"]


def test_a_changed_password_is_not_remembered(alice: User, alice_client: APIClient, hasher_calls: list[str]) -> None:
    assert alice_client.get("/api/scores/").status_code == 200
    alice.set_password("a-new-password-for-alice")
    alice.save()
    assert alice_client.get("/api/scores/").status_code == 401
    assert hasher_calls == ["alice", "alice"]


def test_a_deactivated_user_is_not_remembered(alice: User, alice_client: APIClient) -> None:
    assert alice_client.get("/api/scores/").status_code == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert alice_client.get("/api/scores/").status_code == 401


def test_logout_drops_remembered_credentials(alice: User, alice_client: APIClient, hasher_calls: list[str]) -> None:
    assert alice_client.get("/api/scores/").status_code == 200
    browser = Client()
    assert browser.login(username="alice", password=PASSWORDS["alice"])
    browser.logout()
    assert alice_client.get("/api/scores/").status_code == 200
    assert hasher_calls == ["alice", "alice", "alice"]  # API, browser login, API again after the logout


def test_the_credential_cache_can_be_turned_off(
    settings: Any, alice_client: APIClient, hasher_calls: list[str]
) -> None:
    settings.BASIC_AUTH_CACHE_SECONDS = 0
    for _ in range(3):
        assert alice_client.get("/api/scores/").status_code == 200
    assert hasher_calls == ["alice"] * 3


def test_the_cache_never_holds_a_password(alice_client: APIClient) -> None:
    from django.core.cache import cache  # noqa: PLC0415

    alice_client.get("/api/scores/")
    stored = repr(dict(cache._cache.items()))  # type: ignore[attr-defined]  # LocMemCache's store
    assert PASSWORDS["alice"] not in stored
    assert "alice" not in stored  # keys are keyed hashes, not usernames


def test_passwords_never_appear_in_the_server_log(
    alice: User, basic_client: Callable[[User], APIClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = basic_client(alice)
    client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    client.credentials(HTTP_AUTHORIZATION=basic_header("alice", "wrong-secret-123"))
    client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    APIClient().post("/api/auth/token/", {"username": "alice", "password": "wrong-secret-456"}, format="json")
    logged = caplog.text
    assert PASSWORDS["alice"] not in logged
    assert "wrong-secret" not in logged


def test_an_unreachable_cache_fails_open(
    settings: Any, alice_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with_rates(settings, user="1/min")
    statuses = [alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]  # served, unthrottled, while the cache is away
    assert "rate limit not applied: the cache is unavailable" in caplog.text
    assert "credential cache unavailable" in caplog.text
