"""The request log's spool (SQLite): rows go to a file before the response and reach the table whole,
once, whatever copies them; a failed append is a 503; readers copy the spools in first."""

import multiprocessing
import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from predictions import services, spool
from predictions.models import RequestLog
from predictions.writes import database_row
from tests.api.conftest import FRIDAY_JUNE_15H_CLOUDY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the spool is for SQLite databases only"),
]


def _values(**changes: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "user": None,
        "endpoint": "predict",
        "status_code": 200,
        "inputs": {"hour": 15, "note": "caf\u00e9 \x00"},
        "features": [15, 5, 6, 2, 1, 0, 1],
        "output": {"prediction": 299},
        "model_name": "Lasso",
        "artifact_version": "v1",
        "latency_ms": 1.5,
        "created_at": timezone.now(),
        **changes,
    }


def _stored(row_id: uuid.UUID) -> tuple[Any, ...]:
    columns = ", ".join(f'"{field.column}"' for field in RequestLog._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "predictions_requestlog" WHERE id = %s', [row_id.hex])  # noqa: S608
        return tuple(cursor.fetchone())


def _copy(directory: Path) -> int:
    return spool.copy_spooled_rows(directory, spool._django_insert(connection))


def test_a_spooled_row_reaches_the_table_as_the_orm_stores_it(tmp_path: Path) -> None:
    by_orm = RequestLog.objects.create(**_values())
    spooled = _values(created_at=by_orm.created_at)
    spool.Spool(tmp_path).append(database_row(RequestLog, spooled))

    assert not RequestLog.objects.filter(id=spooled["id"]).exists()  # in the file, not yet in the table
    assert _copy(tmp_path) == 1
    assert _stored(spooled["id"])[1:] == _stored(by_orm.id)[1:]  # every column but the id
    assert (tmp_path / f"{os.getpid()}.jsonl").stat().st_size == 0  # the copy emptied the file


def test_a_row_copied_twice_is_stored_once(tmp_path: Path) -> None:
    row = database_row(RequestLog, _values())
    writer = spool.Spool(tmp_path)
    writer.append(row)
    _copy(tmp_path)
    writer.append(row)  # as if a copier had died between its commit and the truncation
    assert _copy(tmp_path) == 1
    assert RequestLog.objects.count() == 1


def test_a_half_written_line_is_dropped_and_whole_ones_are_kept(tmp_path: Path) -> None:
    row = database_row(RequestLog, _values())
    spool.Spool(tmp_path).append(row)
    spool_file = tmp_path / f"{os.getpid()}.jsonl"
    with spool_file.open("ab") as half:  # a process that died in the middle of its append
        half.write(b'{"id": "00')
    assert _copy(tmp_path) == 1
    assert spool_file.read_bytes() == b""
    assert RequestLog.objects.get().id.hex == row["id"]


def test_a_line_that_is_not_a_row_is_skipped_not_retried_forever(tmp_path: Path, caplog: Any) -> None:
    (tmp_path / "1.jsonl").write_bytes(b"not json\n")
    spool.Spool(tmp_path).append(database_row(RequestLog, _values()))
    assert _copy(tmp_path) == 1
    assert "not a request log row" in caplog.text
    assert _copy(tmp_path) == 0


def test_a_copy_that_fails_midway_leaves_the_file_for_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool, "COPY_CHUNK_ROWS", 2)
    writer = spool.Spool(tmp_path)
    for _ in range(5):
        writer.append(database_row(RequestLog, _values()))
    insert = spool._django_insert(connection)
    calls: list[int] = []

    def fails_on_the_second_piece(statement: str, values: list[Any]) -> None:
        calls.append(len(values))
        if len(calls) == 2:
            raise sqlite3.OperationalError("database is locked")
        insert(statement, values)

    with pytest.raises(sqlite3.OperationalError):
        spool.copy_spooled_rows(tmp_path, fails_on_the_second_piece)
    assert RequestLog.objects.count() == 2  # the first piece is in; the file still holds all five
    assert _copy(tmp_path) == 5
    assert RequestLog.objects.count() == 5


def test_a_row_too_large_to_spool_is_inserted_directly(
    alice_client: APIClient, spooling: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "MAX_LINE_BYTES", 2_000)
    batch = {"items": [FRIDAY_JUNE_15H_CLOUDY] * 20}
    served = alice_client.post("/api/predict/batch/", batch, format="json").json()
    assert RequestLog.objects.get().id.hex == served["request_id"].replace("-", "")  # in the table already
    assert not list(spooling.glob("*.jsonl"))  # and never in a spool file


def test_a_failed_append_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = spool.Spool(tmp_path)
    writer.append(database_row(RequestLog, _values()))
    spool_file = tmp_path / f"{os.getpid()}.jsonl"
    before = spool_file.read_bytes()
    real_write = os.write
    monkeypatch.setattr(spool.os, "write", lambda fd, data: real_write(fd, data[:10]))  # a disk that filled up
    with pytest.raises(OSError, match="short write"):
        writer.append(database_row(RequestLog, _values()))
    assert spool_file.read_bytes() == before


def _append_rows(directory: str, count: int) -> None:
    writer = spool.Spool(Path(directory))
    for _ in range(count):
        writer.append(database_row(RequestLog, _values()))


def test_rows_appended_by_several_processes_while_copying_arrive_exactly_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_append_rows, args=(str(tmp_path), 300)) for _ in range(3)]
    for writer in writers:
        writer.start()
    copied = 0
    while any(writer.is_alive() for writer in writers):
        copied += _copy(tmp_path)
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    copied += _copy(tmp_path)
    assert copied == 900
    assert RequestLog.objects.count() == 900


def test_the_background_thread_copies_through_its_own_connection(tmp_path: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'predictions_requestlog'")
        create_table = cursor.fetchone()[0]
    database_file = str(tmp_path / "log.sqlite3")
    own = sqlite3.connect(database_file, isolation_level=None)
    own.execute(create_table)  # its foreign key is not enforced here: SQLite checks them only when asked
    directory = tmp_path / "spool"
    writer = spool.Spool(directory)
    writer.append(database_row(RequestLog, _values()))
    writer.append(database_row(RequestLog, _values()))

    assert writer.copy_with(own, database_file) == 2
    assert own.execute('SELECT count(*) FROM "predictions_requestlog"').fetchone() == (2,)


@pytest.fixture
def spooling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test process spools, as a gunicorn worker does, into tmp_path."""
    monkeypatch.setattr(spool, "spool_directory", lambda db: tmp_path)
    writer = spool.Spool(tmp_path)
    monkeypatch.setattr(services, "active_spool", lambda: writer)
    return tmp_path


def test_a_prediction_is_in_the_history_as_soon_as_it_is_read(alice_client: APIClient, spooling: Path) -> None:
    served = alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json").json()
    assert RequestLog.objects.count() == 0  # spooled: the reader copies it in

    history = alice_client.get("/api/predictions/").json()
    assert [row["id"] for row in history["results"]] == [served["request_id"]]
    assert history["results"][0]["output"]["prediction"] == served["prediction"]


def test_a_row_that_cannot_be_spooled_is_a_503_without_the_prediction(
    alice_client: APIClient, spooling: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(self: spool.Spool, row: dict[str, Any]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spool.Spool, "append", disk_full)
    response = alice_client.post("/api/predict/", FRIDAY_JUNE_15H_CLOUDY, format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "request_log_unavailable"
    assert "prediction" not in response.json()


def test_only_sqlite_files_have_a_spool(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert spool.spool_directory(connection) is None  # the tests' database is in memory
    assert spool.start_spooling() is None
    monkeypatch.setattr(spool, "spool_directory", lambda db: tmp_path)
    settings.REQUEST_LOG_SPOOL = False
    assert spool.start_spooling() is None  # turned off: this process INSERTs
    assert spool.active_spool() is None
    settings.REQUEST_LOG_SPOOL = True
    started = spool.start_spooling()
    try:
        assert started is not None
        assert spool.active_spool() is started
    finally:
        spool._spools.clear()
