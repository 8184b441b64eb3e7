"""API fixtures: the test artifacts served, users, and clients authenticated three ways."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from predictions.registry import registry_holder
from tests.conftest import PASSWORDS

FRIDAY_JUNE_15H_CLOUDY = {"hour": 15, "weekday": "Friday", "month": "June", "weather": "Cloudy"}
MONDAY_OCTOBER_8H_RAINY = {"hour": 8, "weekday": "Monday", "month": "October", "weather": "Rainy"}


@pytest.fixture(autouse=True)
def served_artifacts(settings: Any, artifacts_root: Path) -> Iterator[Path]:
    settings.ML_ARTIFACTS_DIR = artifacts_root
    settings.ML_ARTIFACT_VERSION = None
    # Password hashing is deliberately slow; the API tests check authorisation, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    registry_holder.cache_clear()
    cache.clear()  # rate-limit counters and remembered credentials start empty in every test
    yield artifacts_root
    registry_holder.cache_clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(username: str, is_staff: bool = False) -> User:
        return User.objects.create_user(username=username, password=PASSWORDS[username], is_staff=is_staff)

    return make


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    return make_user("alice")


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    return make_user("bob")


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user("staff", is_staff=True)


def basic_header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def anonymous_client() -> APIClient:
    return APIClient()


@pytest.fixture
def basic_client() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_header(user.username, PASSWORDS[user.username]))
        return client

    return make


@pytest.fixture
def alice_client(alice: User, basic_client: Callable[[User], APIClient]) -> APIClient:
    return basic_client(alice)


@pytest.fixture
def bob_client(bob: User, basic_client: Callable[[User], APIClient]) -> APIClient:
    return basic_client(bob)


@pytest.fixture
def staff_client(staff: User, basic_client: Callable[[User], APIClient]) -> APIClient:
    return basic_client(staff)


@pytest.fixture
def token_client(alice: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    return client
