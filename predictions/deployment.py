"""Start-up chores of a container: wait for the database, migrate once when replicas race, preload models.

Used by the management commands that docker/entrypoint.sh runs; nothing here runs on a request.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor

from .ml import artifacts
from .registry import get_registry

logger = logging.getLogger(__name__)

# Any fixed 64-bit number, the same in every replica: PostgreSQL serialises migrate on it.
MIGRATION_ADVISORY_LOCK_KEY = 0x62696B6570726F6A  # "bikeproj"


class DatabaseNotReadyError(RuntimeError):
    pass


def database_problem(alias: str = DEFAULT_DB_ALIAS) -> str | None:
    """None when the database answers, else why not (in one line)."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OperationalError as exc:
        connection.close()
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else 'no detail'}"
    return None


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def database_wait(
    timeout: float,
    *,
    require_migrated: bool = False,
    interval: float = 1.0,
    report: Callable[[str], None] = logger.info,
) -> None:
    """Block until the database answers (and, if asked, has every migration), or raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        problem = database_problem()
        if problem is None and require_migrated:
            pending = unapplied_migrations()
            problem = f"{len(pending)} migrations not applied yet (first: {pending[0]})" if pending else None
        if problem is None:
            return
        if time.monotonic() >= deadline:
            raise DatabaseNotReadyError(f"The database is not ready after {timeout:.0f} s: {problem}")
        report(f"waiting for the database: {problem}")
        time.sleep(interval)


@contextmanager
def migration_lock(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """One migrator at a time across replicas: a PostgreSQL advisory lock, or a file lock beside SQLite."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_ADVISORY_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_ADVISORY_LOCK_KEY])
        return
    if connection.is_in_memory_db():  # one process owns it: nothing to race, and no file to lock beside
        yield
        return
    database_file = Path(str(connection.settings_dict["NAME"]))
    with database_file.with_name(database_file.name + ".migrate-lock").open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def migrate_with_lock(verbosity: int = 1) -> list[str]:
    """Apply pending migrations under the lock; returns what this process applied (empty if another did)."""
    with migration_lock():
        pending = unapplied_migrations()
        if pending:
            call_command("migrate", interactive=False, verbosity=verbosity)
    return pending


def models_preload() -> str:
    """Load and verify the artifacts now (gunicorn's master, before forking), so workers share them.

    Returns a line for the log; a failure is reported, not raised: /api/status/ names it with a 503.
    """
    try:
        registry = get_registry()
    except artifacts.ArtifactError as exc:
        return f"models NOT loaded: {exc}"
    return f"models loaded and verified: version {registry.version}, {len(registry.model_names)} models"
