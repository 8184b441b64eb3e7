"""The SQLite writers' hand-off lock excludes other processes, forked workers included."""

import fcntl
import multiprocessing
import os
from pathlib import Path

from predictions import writes


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

    with writes._file_lock(database_file):
        assert _lock_attempt_from_a_forked_child(database_file) == "blocked"
    assert _lock_attempt_from_a_forked_child(database_file) == "acquired"
