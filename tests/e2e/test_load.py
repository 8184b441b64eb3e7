"""Load without loss: 4 gunicorn workers, 16 concurrent clients, 2,000 predictions, 2,000 new log rows.

On SQLite, the write-ahead log stays bounded too: a checkpoint that never catches up with the
writers lets it grow by every page written (tens of MB here, gigabytes in a day).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from predictions.spool import SPOOL_SUFFIX
from tests.e2e.conftest import (
    E2E_PASSWORDS,
    GunicornServer,
    e2e_database_url,
    running_gunicorn,
    server_environment,
)

pytestmark = pytest.mark.e2e
WORKERS = 4
CLIENTS = 16
REQUESTS = 2000
WAL_LIMIT_BYTES = 16 * 1024 * 1024  # SQLite checkpoints at 1,000 pages (4 MB); unchecked, 2,000 rows left 43 MB
WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@pytest.fixture(scope="module")
def load_server(artifacts_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GunicornServer, str]]:
    tmp_dir = tmp_path_factory.mktemp("load")
    database_url = e2e_database_url(tmp_dir, "bikeproject_load")
    env = server_environment(artifacts_root, tmp_dir, database_url)
    with running_gunicorn(env, tmp_dir, workers=WORKERS) as (server, _):
        yield server, database_url


def logged_rows(server: GunicornServer) -> int:
    page = server.request("GET", "/api/predictions/?page_size=1", user="admin")
    assert page.status == 200, page.body
    return int(page.body["count"])


def test_2000_concurrent_predictions_with_mixed_auth_all_served_and_logged(
    load_server: tuple[GunicornServer, str],
) -> None:
    server, database_url = load_server
    tokens = {
        user: server.request("POST", "/api/auth/token/", {"username": user, "password": E2E_PASSWORDS[user]}).body[
            "token"
        ]
        for user in ("alice", "bob")
    }
    before = logged_rows(server)

    def one(number: int) -> tuple[int, Any]:
        user = ("alice", "bob")[number % 2]
        body = {"hour": number % 24, "weekday": WEEKDAYS[number % 7], "month": number % 12 + 1, "weather": 1}
        if number % 4 < 2:  # half HTTP Basic, half token, both users
            reply = server.request("POST", "/api/predict/", body, user=user)
        else:
            reply = server.request("POST", "/api/predict/", body, token=tokens[user])
        return reply.status, reply.body

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(one, range(REQUESTS)))
    elapsed = time.perf_counter() - started

    errors = [(status, body) for status, body in results if status != 200]
    request_ids = {body["request_id"] for status, body in results if status == 200}
    new_rows = logged_rows(server) - before
    print(
        f"load: {REQUESTS} requests, {CLIENTS} clients, {WORKERS} workers: {len(errors)} errors, "
        f"{new_rows} new log rows, {elapsed:.1f} s ({REQUESTS / elapsed:.0f} requests/s)"
    )
    assert errors == []
    assert len(request_ids) == REQUESTS
    assert new_rows == REQUESTS
    if database_url.startswith("sqlite:///"):
        # The rows went through the workers' spool (predictions/spool.py), and reading the log copied them in.
        spool_files = list(Path(database_url.removeprefix("sqlite:///") + SPOOL_SUFFIX).glob("*.jsonl"))
        assert 1 <= len(spool_files) <= WORKERS  # one per worker that served something
        assert sum(path.stat().st_size for path in spool_files) == 0
        wal = Path(database_url.removeprefix("sqlite:///") + "-wal")
        print(f"SQLite write-ahead log after the load: {wal.stat().st_size / 1e6:.1f} MB")
        assert wal.stat().st_size < WAL_LIMIT_BYTES
