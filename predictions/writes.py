"""Writes on every request's path: one INSERT at driver speed, and SQLite writers taken in turn.

``insert_database_row`` writes one model row through the driver's own connection. The ORM's ``create`` builds a
model instance, sends signals, compiles SQL, prepares each field through several generic layers and
goes through Django's cursor wrapper (which rewrites every SQLite statement with a regex): about half
of the cost of a predict request beyond the framework's floor. The values written are the ones the
ORM would write; ``tests/api/test_writes.py`` reads rows back through the ORM to check it.

Serialise SQLite writers across gunicorn workers with a file lock instead of SQLite's busy sleeps.

Several worker processes write the request log at once. SQLite lets one writer in at a time and
makes the others wait in its busy handler, which sleeps 1, 2, 5, 10 ms... between attempts: a write
that holds the lock for 0.1 ms makes a colliding writer sleep ten times that, and the CPU idles. An
advisory lock on a file beside the database hands the turn over as soon as it is released. Only for
SQLite; PostgreSQL has row-level concurrency and needs nothing.

Take SQLite's WAL checkpoints (and their fsyncs) off the request path, in a thread per worker.

In WAL mode a commit appends pages to the ``-wal`` file; every 1,000 pages the committing writer
copies them back into the database and syncs both files (a checkpoint), while holding the write
lock: on this project's test machine that is a few milliseconds, once every ~200 log rows, during
which both workers' writers wait. ``start_background_checkpoints`` (called by gunicorn's
``post_fork``) runs a PASSIVE checkpoint every few tenths of a second in a thread of its own; it
takes no lock that writers wait for, and its fsyncs release the GIL, so requests go on. A writer
of that process still checkpoints by itself at 3,000 pages (6 MB of 2 KB pages): under steady load a PASSIVE
checkpoint never catches the last frames, and only a checkpoint that does lets the next writer start
the WAL over; by then the thread has copied most pages, so the writer's share is small. The
durability is SQLite's ``synchronous=NORMAL`` either way.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from functools import cache, partial
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

# Pages in the WAL before a writer checkpoints by itself, where a background thread checkpoints.
WAL_AUTOCHECKPOINT_WITH_BACKGROUND = 3_000


@cache
def _lock_descriptor(database_file: str, pid: int) -> int:
    # Opened once per process and kept: the descriptor is the lock handle (closed at exit). Keyed by
    # pid because a flock belongs to the open file, which a forked worker would share with its parent.
    return os.open(f"{database_file}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)


class _FileLock:
    """An exclusive flock on ``<database_file>.write-lock`` for the duration of a ``with`` block."""

    def __init__(self, database_file: str) -> None:
        self.database_file = database_file
        self.descriptor = -1

    def __enter__(self) -> None:
        self.descriptor = _lock_descriptor(self.database_file, os.getpid())
        fcntl.flock(self.descriptor, fcntl.LOCK_EX)

    def __exit__(self, *exc_info: object) -> None:
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)


_NO_LOCK: AbstractContextManager[None] = nullcontext()


def serialised_write(db: BaseDatabaseWrapper) -> AbstractContextManager[None]:
    """A context for one short write: the cross-process lock on SQLite files, nothing elsewhere."""
    if db.vendor != "sqlite" or db.is_in_memory_db():  # in memory: tests, one process
        return _NO_LOCK
    return file_lock(str(db.settings_dict["NAME"]))


def file_lock(database_file: str) -> AbstractContextManager[None]:
    """The writers' turn on one SQLite file, for connections that are not Django's."""
    return _FileLock(database_file)


Adapter = Callable[[Any], Any]
BeforeCheckpoint = Callable[[sqlite3.Connection, str], object]


def database_row(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """What the ORM would write for ``values`` (every concrete field, by name), by column name, in field order."""
    _, names, adapters = _insert_plan(model, connections[DEFAULT_DB_ALIAS].vendor)
    columns = _columns(model)
    return {column: adapt(values[name]) for name, column, adapt in zip(names, columns, adapters, strict=True)}


def insert_database_row(model: type[models.Model], row: Mapping[str, Any]) -> None:
    """INSERT a ``database_row`` of ``model`` and commit it, unless in a transaction.

    Errors are Django's ``DatabaseError`` family, as from the ORM.
    """
    # The ORM's own connection, looked up once: each attribute of ``django.db.connection`` is a
    # thread-local lookup of its own, and this runs on every request.
    db = connections[DEFAULT_DB_ALIAS]
    statement, _, _ = _insert_plan(model, db.vendor)
    with db.wrap_database_errors:
        db.close_if_health_check_failed()  # what connection.cursor() would do first
        db.ensure_connection()
        with serialised_write(db):  # held for the INSERT alone: the other writers wait for it
            db.connection.execute(statement, list(row.values()))


@cache
def _columns(model: type[models.Model]) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


@cache
def _insert_plan(model: type[models.Model], vendor: str) -> tuple[str, list[str], list[Adapter]]:
    db = connections[DEFAULT_DB_ALIAS]
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(db.ops.quote_name(field.column) for field in fields)
    placeholder = "?" if vendor == "sqlite" else "%s"  # the drivers' own paramstyles
    placeholders = ", ".join([placeholder] * len(fields))
    statement = f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    return statement, [field.name for field in fields], [_adapter(field, db) for field in fields]


def _as_is(value: Any) -> Any:
    return value


def _adapter(field: models.Field[Any, Any], db: BaseDatabaseWrapper) -> Adapter:
    """The database value of a Python value for one field, as ``field.get_db_prep_save`` computes it."""
    if isinstance(field, models.JSONField):
        encode = (field.encoder or json.JSONEncoder)().encode  # one encoder per field: encode() keeps no state
        return partial(_json_or_null, encode)
    if isinstance(field, models.UUIDField):
        return _as_is if db.features.has_native_uuid_field else _uuid_hex
    if isinstance(field, models.DateTimeField):
        return db.ops.adapt_datetimefield_value
    if isinstance(field, models.CharField | models.IntegerField | models.FloatField | models.ForeignKey):
        return _as_is  # the drivers take str, int, float and None unchanged
    return partial(field.get_db_prep_save, connection=db)


def _json_or_null(encode: Callable[[Any], str], value: Any) -> str | None:
    return None if value is None else encode(value)  # None is SQL NULL, as the ORM writes it


def _uuid_hex(value: Any) -> str:
    return str(value.hex)


class WALCheckpointer(threading.Thread):
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on a SQLite file every ``interval`` seconds, until stopped."""

    def __init__(self, database_file: str, interval: float, before_checkpoint: BeforeCheckpoint | None = None) -> None:
        super().__init__(name="sqlite-wal-checkpoints", daemon=True)
        self.database_file = database_file
        self.interval = interval
        self.before_checkpoint = before_checkpoint  # e.g. copying the request log's spool in
        self.stopped = threading.Event()

    def run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while not self.stopped.wait(self.interval):
                connection = connection or self._connect()
                if connection is not None:
                    self.run_hook(connection)
                    self.checkpoint(connection)
        finally:
            if connection is not None:
                connection.close()

    def _connect(self) -> sqlite3.Connection | None:
        # A connection of its own (Django's belong to the threads that opened them), to an existing
        # file only: a database that is not there yet is Django's to create (with its page size).
        uri = Path(self.database_file).resolve().as_uri() + "?mode=rw"
        try:
            return sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            logger.debug("background WAL checkpoints wait for %s: %s", self.database_file, exc)
            return None

    def run_hook(self, connection: sqlite3.Connection) -> None:
        if self.before_checkpoint is None:
            return
        try:
            self.before_checkpoint(connection, self.database_file)
        except (sqlite3.Error, OSError) as exc:  # the next turn tries again
            logger.warning("background work before a WAL checkpoint failed: %s", exc)

    @staticmethod
    def checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (1 if it was blocked, frames in the WAL, frames copied into the database)."""
        try:
            busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # e.g. another process is checkpointing: the next turn will do
            logger.debug("background WAL checkpoint skipped: %s", exc)
            return 1, -1, -1
        return int(busy), int(frames), int(copied)

    def stop(self) -> None:
        self.stopped.set()


_checkpointers: dict[int, WALCheckpointer] = {}


def start_background_checkpoints(
    interval: float, before_checkpoint: BeforeCheckpoint | None = None
) -> WALCheckpointer | None:
    """Start this process's WAL checkpointer, for a SQLite file database; None elsewhere or when ``interval`` <= 0.

    ``before_checkpoint(connection, database_file)`` runs in the thread before each checkpoint.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if interval <= 0 or db.vendor != "sqlite" or db.is_in_memory_db():
        return None
    pid = os.getpid()
    if pid not in _checkpointers:  # keyed by pid: a forked child does not inherit its parent's thread
        _checkpointers[pid] = WALCheckpointer(str(db.settings_dict["NAME"]), interval, before_checkpoint)
        # For the connections this process opens from now on. (gunicorn's master opens none before it
        # forks, and a SQLite connection must not be used across a fork anyway.)
        connection_created.connect(_raise_wal_autocheckpoint, dispatch_uid="writes.raise_wal_autocheckpoint")
        _checkpointers[pid].start()
    return _checkpointers[pid]


def _raise_wal_autocheckpoint(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Let this process's writers leave checkpoints to its thread (up to a safety limit)."""
    if connection.vendor == "sqlite" and os.getpid() in _checkpointers:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_WITH_BACKGROUND}")
