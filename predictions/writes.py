"""Serialise SQLite writers across gunicorn workers with a file lock instead of SQLite's busy sleeps.

Several worker processes write the request log at once. SQLite lets one writer in at a time and
makes the others wait in its busy handler, which sleeps 1, 2, 5, 10 ms... between attempts: a write
that holds the lock for 0.1 ms makes a colliding writer sleep ten times that, and the CPU idles. An
advisory lock on a file beside the database hands the turn over as soon as it is released. Only for
SQLite; PostgreSQL has row-level concurrency and needs nothing.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import cache
from typing import Any

from django.db import connection


@cache
def _lock_descriptor(database_file: str, pid: int) -> int:
    # Opened once per process and kept: the descriptor is the lock handle (closed at exit). Keyed by
    # pid because a flock belongs to the open file, which a forked worker would share with its parent.
    return os.open(f"{database_file}.write-lock", os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def _file_lock(database_file: str) -> Iterator[None]:
    descriptor = _lock_descriptor(database_file, os.getpid())
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


def serialised_write() -> Any:
    """A context for one short write: the cross-process lock on SQLite files, nothing elsewhere."""
    if connection.vendor != "sqlite":
        return nullcontext()
    if connection.is_in_memory_db():  # tests: one process
        return nullcontext()
    return _file_lock(str(connection.settings_dict["NAME"]))
