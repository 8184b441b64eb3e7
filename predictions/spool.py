"""The request log's spool on SQLite: each row reaches a file of its worker's before the response leaves,
and is copied into the database in batches.

One INSERT per request was the largest single cost of predict beyond the framework's floor on SQLite:
the statement itself (four b-trees, a WAL commit, the pages another worker's commit made stale) and what
it does to the rest of the request's caches. Appending one line to a file is a few microseconds, and a
batch of rows shares one transaction. Measured under the benchmark's load: predict/floor 0.809 with the
spool against 0.772 with an INSERT per request in alternating runs, 0.82 to 0.83 in full runs (README,
Performance).

What does not change: a row is written before its response leaves (a failed append is a 503, as a failed
INSERT is), and it is as durable as a commit in SQLite's WAL with synchronous=NORMAL (the operating
system has it; a power cut can lose both). What changes: the row reaches the table within a few tenths
of a second (``SQLITE_CHECKPOINT_INTERVAL_MS``), or sooner when someone reads the log, because every
reader copies the spools in first (``copy_in``). Only gunicorn's workers spool (``post_fork``); every
other process, and PostgreSQL always, INSERTs directly.

Each worker appends to ``<database>.request-log-spool/<pid>.jsonl``, one JSON object per line, under an
exclusive flock on the file. A copy takes the same flock, inserts every complete line with ``INSERT OR
IGNORE`` (``COPY_CHUNK_ROWS`` to a transaction), then empties the file: an append never interleaves with a copy, a row
copied twice (a copier killed between its commit and the truncation) is ignored by its primary key, and
a failed copy leaves the rows for the next one. Files are never deleted: a new worker with a reused pid
appends to the same file, which a deletion could race with.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .models import RequestLog
from .writes import file_lock, serialised_write

logger = logging.getLogger(__name__)

SPOOL_SUFFIX = ".request-log-spool"
# A batch of 1,000 predictions makes a row of about 200 kB: one INSERT costs it little per prediction,
# and passing it through a file and a JSON parser again would only grow the workers' memory.
MAX_LINE_BYTES = 64 * 1024
# Rows per transaction when copying: a spool that grew while the database could not take its rows is
# copied in pieces, in bounded memory (a piece that fails leaves the file whole: the next copy ignores
# the rows already in).
COPY_CHUNK_ROWS = 1_000
BUSY_TIMEOUT_MS = 5_000

Row = dict[str, Any]  # column name -> database value (str, int, float or None)
Insert = Callable[[str, list[Sequence[Any]]], None]  # (statement, rows of values) -> committed


def spool_directory(db: BaseDatabaseWrapper) -> Path | None:
    """Where the request log's spool of ``db`` lives: beside a SQLite file database; None elsewhere.

    Readers copy from it whether or not this process spools (rows left from before REQUEST_LOG_SPOOL=0
    still arrive).
    """
    if db.vendor != "sqlite" or db.is_in_memory_db():
        return None
    return Path(f"{db.settings_dict['NAME']}{SPOOL_SUFFIX}")


class Spool:
    """This process's spool file in ``directory``: ``append`` writes one row, whole or not at all."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._pid = -1
        self._descriptor = -1

    def append(self, row: Row) -> bool:
        """True once the row is in the file; False for a row over ``MAX_LINE_BYTES``, left to an INSERT.

        Raises OSError when the row could not be written; then nothing of it is in the file.
        """
        if sum(len(value) for value in row.values() if isinstance(value, str)) > MAX_LINE_BYTES:
            return False  # a batch's row: not worth encoding only to find it too long
        line = (json.dumps(row) + "\n").encode()
        if len(line) > MAX_LINE_BYTES:  # escaping made it too long after all
            return False
        descriptor = self._file()
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            written = os.write(descriptor, line)  # all of it, part of it, or an OSError and none of it
            if written != len(line):  # no half line for the next append to run into
                os.ftruncate(descriptor, os.fstat(descriptor).st_size - written)
                raise OSError(f"short write to {self.directory}")
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        return True

    def copy_with(self, connection: sqlite3.Connection, database_file: str) -> int:
        """Copy every spool of the directory in through ``connection`` (the background thread's, autocommit)."""

        def insert(statement: str, values: list[Sequence[Any]]) -> None:
            with file_lock(database_file):
                # The thread's connection waits for no one when it checkpoints; here it waits, as Django's
                # connections do, for a write that does not take the writers' turn (a login's session).
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                connection.execute("BEGIN IMMEDIATE")
                try:
                    connection.executemany(statement, values)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")

        return copy_spooled_rows(self.directory, insert)

    def _file(self) -> int:
        pid = os.getpid()
        if self._pid != pid:  # first use, or a forked child: its own file
            self.directory.mkdir(mode=0o700, exist_ok=True)
            path = self.directory / f"{pid}.jsonl"
            self._descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = pid
        return self._descriptor


_spools: dict[int, Spool] = {}


def start_spooling() -> Spool | None:
    """From now on this process spools its request log rows (gunicorn's ``post_fork``); None where it cannot."""
    directory = spool_directory(connections[DEFAULT_DB_ALIAS])
    if directory is None or not settings.REQUEST_LOG_SPOOL:
        return None
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        logger.warning("request log rows are INSERTed one by one: %s is not writable (%s)", directory, exc)
        return None
    _spools[os.getpid()] = Spool(directory)
    return _spools[os.getpid()]


def active_spool() -> Spool | None:
    """This process's spool, if it spools (keyed by pid: a forked child starts its own)."""
    return _spools.get(os.getpid())


def copy_spooled_rows(directory: Path, insert: Insert) -> int:
    """Insert every complete row of every spool file in ``directory``; returns how many rows were copied."""
    if not directory.is_dir():
        return 0
    return sum(_copy_file(path, insert) for path in sorted(directory.glob("*.jsonl")))


def _copy_file(path: Path, insert: Insert) -> int:
    try:
        spool_file = path.open("r+b")
    except FileNotFoundError:
        return 0
    copied = 0
    with spool_file:  # closing it releases the flock
        fcntl.flock(spool_file.fileno(), fcntl.LOCK_EX)
        for rows in _chunks(_rows(spool_file, path), COPY_CHUNK_ROWS):
            for statement, values in _statements(rows):
                insert(statement, values)
            copied += len(rows)
        if spool_file.tell():
            # Emptied, including what may follow the last newline: an append that never finished (its
            # process died mid-write, before its response), which must not prefix the next line.
            spool_file.truncate(0)
    return copied


def _rows(lines: Iterable[bytes], path: Path) -> Iterator[Row]:
    for number, line in enumerate(lines, start=1):
        if not line.endswith(b"\n"):
            return  # the unfinished append, if any: always the last line
        try:
            yield json.loads(line)
        except ValueError:  # not a line this module wrote whole: reported, never retried forever
            logger.error("%s, line %d: not a request log row, skipped: %r", path, number, line[:200])


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _statements(rows: list[Row]) -> Iterator[tuple[str, list[Sequence[Any]]]]:
    """One INSERT OR IGNORE per set of columns (rows spooled by an older version may lack a new one)."""
    by_columns: dict[tuple[str, ...], list[Sequence[Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(tuple(row.values()))
    table = RequestLog._meta.db_table
    for columns, values in by_columns.items():
        names = ", ".join(f'"{column}"' for column in columns)
        placeholders = ", ".join("?" * len(columns))
        yield f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({placeholders})', values  # noqa: S608


def copy_in() -> int:
    """Copy the spools into the request log before reading it; a spool that cannot be read is logged."""
    db = connections[DEFAULT_DB_ALIAS]
    directory = spool_directory(db)
    if directory is None:
        return 0
    try:
        return copy_spooled_rows(directory, _django_insert(db))
    except OSError as exc:  # the rows stay where they are; the reader sees the log without them
        logger.warning("request log spool %s not copied: %s", directory, exc)
        return 0


def _django_insert(db: BaseDatabaseWrapper) -> Insert:
    def insert(statement: str, values: list[Sequence[Any]]) -> None:
        with serialised_write(db), transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.executemany(statement, values)

    return insert
