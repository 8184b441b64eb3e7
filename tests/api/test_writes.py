"""insert_database_row stores what the ORM stores; the SQLite writers' hand-off lock excludes other processes;
the background checkpointer copies the WAL back without the writers."""

import datetime
import fcntl
import multiprocessing
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.utils import timezone

from accounts.models import User
from predictions import writes
from predictions.models import RequestLog

ROWS = [
    pytest.param(
        {
            "endpoint": "predict",
            "status_code": 200,
            "inputs": {"hour": 15, "weekday": "Friday", "note": "caf\u00e9 \x00 <b>"},
            "features": [[15, 5, 6, 2, 1, 0, 1]],
            "output": {"request_id": uuid.UUID(int=7), "prediction": 299, "when": datetime.date(2012, 6, 1)},
            "model_name": "Lasso",
            "artifact_version": "v1",
            "latency_ms": 1.234,
        },
        id="served",
    ),
    pytest.param(
        {
            "endpoint": "scores",
            "status_code": 400,
            "inputs": [],
            "features": None,
            "output": None,
            "model_name": "",
            "artifact_version": "",
            "latency_ms": 0.0,
        },
        id="refused, nulls",
    ),
]


def _stored(row_id: uuid.UUID) -> tuple[Any, ...]:
    """The row as the database holds it, column by column."""
    columns = ", ".join(connection.ops.quote_name(field.column) for field in RequestLog._meta.concrete_fields[1:])
    table = connection.ops.quote_name(RequestLog._meta.db_table)
    statement = f"SELECT {columns} FROM {table} WHERE id = %s"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.execute(statement, [RequestLog._meta.pk.get_db_prep_value(row_id, connection)])
        return tuple(cursor.fetchone())


@pytest.mark.django_db
@pytest.mark.parametrize("values", ROWS)
@pytest.mark.parametrize("with_user", [True, False], ids=["user", "anonymous"])
def test_a_database_row_inserted_is_exactly_what_the_orm_stores(values: dict[str, Any], with_user: bool) -> None:
    user = User.objects.create_user(username="writer", password="writer-secret") if with_user else None
    created_at = timezone.now()
    by_orm = RequestLog.objects.create(id=uuid.uuid4(), user=user, created_at=created_at, **values)
    by_insert = uuid.uuid4()
    row = {"id": by_insert, "user": user.pk if user else None, "created_at": created_at, **values}
    writes.insert_database_row(RequestLog, writes.database_row(RequestLog, row))

    assert _stored(by_insert) == _stored(by_orm.id)
    read_back = RequestLog.objects.get(id=by_insert)
    assert (read_back.user_id, read_back.created_at, read_back.features) == (
        by_orm.user_id,
        created_at,
        by_orm.features,
    )
    assert read_back.output == RequestLog.objects.get(id=by_orm.id).output


@pytest.mark.django_db
def test_insert_database_row_raises_djangos_database_error() -> None:
    values = {field.name: None for field in RequestLog._meta.concrete_fields}  # NOT NULL columns refuse it
    with pytest.raises(DatabaseError):
        writes.insert_database_row(RequestLog, writes.database_row(RequestLog, {**values, "id": uuid.uuid4()}))


def _try_lock(database_file: str, result: "multiprocessing.Queue[str]") -> None:
    descriptor = writes._lock_descriptor(database_file, os.getpid())
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        result.put("blocked")
    else:
        result.put("acquired")


def _lock_attempt_from_a_forked_child(database_file: str) -> str:
    context = multiprocessing.get_context("fork")  # as gunicorn forks its workers from the master
    result: multiprocessing.Queue[str] = context.Queue()
    child = context.Process(target=_try_lock, args=(database_file, result))
    child.start()
    child.join(timeout=10)
    return result.get(timeout=10)


def test_a_forked_worker_waits_while_its_parent_holds_the_write_lock(tmp_path: Path) -> None:
    database_file = str(tmp_path / "db.sqlite3")
    writes._lock_descriptor(database_file, os.getpid())  # opened before the fork, as a preloading master might

    with writes._FileLock(database_file):
        assert _lock_attempt_from_a_forked_child(database_file) == "blocked"
    assert _lock_attempt_from_a_forked_child(database_file) == "acquired"


def _sqlite_database(path: Path) -> SQLiteDatabaseWrapper:
    """A Django connection to a SQLite file, whatever the test run's own database is."""
    settings_dict = {**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    return SQLiteDatabaseWrapper({**settings_dict, "OPTIONS": {}}, alias="sqlite-file")


def _wal_database(path: Path, rows: int) -> sqlite3.Connection:
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the checkpointer under test copies pages back
    writer.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, body TEXT)")
    for number in range(rows):
        writer.execute("INSERT INTO log (body) VALUES (?)", (f"row {number}" * 50,))
    return writer


def test_a_passive_checkpoint_copies_the_wal_into_the_database(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    writer = _wal_database(database, rows=200)
    checkpointer = sqlite3.connect(database, isolation_level=None)
    busy, frames, copied = writes.WALCheckpointer.checkpoint(checkpointer)
    assert (busy, copied) == (0, frames)
    assert frames > 0
    # Copied: the database file alone, without its WAL, holds every row.
    alone = tmp_path / "copy.sqlite3"
    alone.write_bytes(database.read_bytes())
    assert sqlite3.connect(alone).execute("SELECT count(*) FROM log").fetchone() == (200,)
    writer.close()
    checkpointer.close()


class _RecordingCheckpointer(writes.WALCheckpointer):
    def __init__(self, database_file: str, interval: float) -> None:
        super().__init__(database_file, interval)
        self.results: list[tuple[int, int, int]] = []

    def checkpoint(self, connection: sqlite3.Connection) -> tuple[int, int, int]:  # type: ignore[override]
        result = writes.WALCheckpointer.checkpoint(connection)
        self.results.append(result)
        return result


def test_the_checkpointer_thread_keeps_checkpointing_until_stopped(tmp_path: Path) -> None:
    database = tmp_path / "log.sqlite3"
    writer = _wal_database(database, rows=50)
    thread = _RecordingCheckpointer(str(database), interval=0.01)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not any(copied > 0 for _, _, copied in thread.results) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert any(copied > 0 for _, _, copied in thread.results), thread.results
        writer.execute("INSERT INTO log (body) VALUES ('after the first checkpoint')")
        seen = len(thread.results)
        while len(thread.results) == seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(thread.results) > seen  # it goes on
    finally:
        thread.stop()
        thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.mark.django_db
def test_no_checkpointer_for_an_in_memory_database_or_a_zero_interval() -> None:
    assert connection.vendor != "sqlite" or connection.is_in_memory_db()  # the test database
    assert writes.start_background_checkpoints(0.25) is None
    assert writes.start_background_checkpoints(0) is None


@pytest.mark.django_db
def test_where_a_checkpointer_runs_its_writers_checkpoint_only_past_the_safety_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = _sqlite_database(tmp_path / "db.sqlite3")
    try:
        wrapper.ensure_connection()
        default = wrapper.connection.execute("PRAGMA wal_autocheckpoint").fetchone()
        writes._raise_wal_autocheckpoint(sender=type(wrapper), connection=wrapper)
        assert wrapper.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == default  # none runs here
        monkeypatch.setitem(writes._checkpointers, os.getpid(), writes.WALCheckpointer("unused", 1.0))
        writes._raise_wal_autocheckpoint(sender=type(wrapper), connection=wrapper)
        assert wrapper.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (
            writes.WAL_AUTOCHECKPOINT_WITH_BACKGROUND,
        )
    finally:
        wrapper.close()


@pytest.mark.django_db
def test_a_file_database_gets_one_checkpointer_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    database = _sqlite_database(tmp_path / "db.sqlite3")
    monkeypatch.setattr(writes, "connections", {"default": database})
    monkeypatch.setattr(writes, "_checkpointers", {})
    checkpointer = writes.start_background_checkpoints(0.05)
    try:
        assert checkpointer is not None
        assert checkpointer.is_alive()
        assert checkpointer.database_file == str(tmp_path / "db.sqlite3")
        assert writes.start_background_checkpoints(0.05) is checkpointer  # one per process
        database.ensure_connection()  # a connection opened now gets the raised threshold
        assert database.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (
            writes.WAL_AUTOCHECKPOINT_WITH_BACKGROUND,
        )
    finally:
        if checkpointer is not None:
            checkpointer.stop()
            checkpointer.join(timeout=5)
        database.close()


def test_the_checkpointer_waits_for_the_database_file_and_never_creates_it(tmp_path: Path) -> None:
    database = tmp_path / "later.sqlite3"
    thread = _RecordingCheckpointer(str(database), interval=0.01)
    thread.start()
    try:
        time.sleep(0.2)
        assert not database.exists()  # Django creates it, with its own page size
        assert thread.results == []
        writer = _wal_database(database, rows=20)
        deadline = time.monotonic() + 10
        while not any(copied > 0 for _, _, copied in thread.results) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert any(copied > 0 for _, _, copied in thread.results), thread.results
        writer.close()
    finally:
        thread.stop()
        thread.join(timeout=5)
