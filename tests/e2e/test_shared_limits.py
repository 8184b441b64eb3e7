"""Rate limits are counted in Redis, shared by every worker (and, in Kubernetes, every pod)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import GunicornServer, e2e_database_url, running_gunicorn, server_environment

pytestmark = pytest.mark.e2e
REDIS = ("127.0.0.1", 6379)
RATE = 12


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def limited_server(artifacts_root: Path, tmp_path: Path) -> Iterator[GunicornServer]:
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (scripts/ensure-redis.sh starts it)")
    env = server_environment(artifacts_root, tmp_path, e2e_database_url(tmp_path, "bikeproject_limits"))
    env.update(
        REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/14",
        THROTTLE_USER_RATE=f"{RATE}/hour",
        LOGIN_FAILURES_MAX="5",
    )
    with running_gunicorn(env, tmp_path, workers=4) as (server, _):
        server.request("POST", "/api/auth/token/", {})  # warm-up: nothing counted against a user
        yield server
    # Leave Redis as found: this test's counters live in database 14 only.
    with socket.create_connection(REDIS, timeout=1) as connection:
        connection.sendall(b"SELECT 14\r\nFLUSHDB\r\n")
        connection.recv(64)


def test_four_workers_share_one_per_user_budget(limited_server: GunicornServer) -> None:
    statuses = [limited_server.request("GET", "/api/scores/", user="alice").status for _ in range(RATE + 4)]
    # Per-process counters would allow up to 4 x 12 here; a shared counter stops at exactly 12.
    assert statuses == [200] * RATE + [429] * 4
    refused = limited_server.request("GET", "/api/scores/", user="alice")
    assert int(refused.headers["Retry-After"]) > 0
    assert limited_server.request("GET", "/api/scores/", user="bob").status == 200


def test_failed_logins_are_counted_across_workers(limited_server: GunicornServer) -> None:
    statuses = [limited_server.request("GET", "/api/scores/", user="bob", password="wrong").status for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2
    assert limited_server.request("GET", "/api/scores/", user="bob").status == 429  # locked, right password too
